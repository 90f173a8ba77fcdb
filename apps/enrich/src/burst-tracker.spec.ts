import { createBurstTracker } from './burst-tracker';

describe('burst tracker', () => {
  it('counts an author’s comments within the window, by event time', () => {
    const b = createBurstTracker({ windowMs: 60_000 });
    expect(b.record('ada', 0)).toBe(1);
    expect(b.record('ada', 10_000)).toBe(2);
    expect(b.record('bob', 10_000)).toBe(1);
    expect(b.record('ada', 59_999)).toBe(3);
    expect(b.record('ada', 65_000)).toBe(3); // the one at 0 left the window
    expect(b.record('ada', 200_000)).toBe(1);
  });

  it('bounds the times kept per author', () => {
    const b = createBurstTracker({ maxPerAuthor: 4 });
    for (let i = 0; i < 10; i++) b.record('ada', i);
    expect(b.record('ada', 11)).toBe(4);
  });

  it('bounds the authors kept, dropping the least recently seen', () => {
    const b = createBurstTracker({ maxAuthors: 2 });
    b.record('a', 1);
    b.record('b', 2);
    b.record('a', 3);
    b.record('c', 4); // evicts b, the least recently seen
    expect(b.authors).toBe(2);
    expect(b.record('a', 5)).toBe(3);
    expect(b.record('b', 6)).toBe(1);
  });
});
