import { createRecentIds } from './recent-ids';

describe('recent ids', () => {
  it('reports an id seen before', () => {
    const ids = createRecentIds(10);
    expect(ids.seen('a')).toBe(false);
    expect(ids.seen('b')).toBe(false);
    expect(ids.seen('a')).toBe(true);
    expect(ids.size).toBe(2);
  });

  it('keeps at most capacity ids, forgetting the least recently seen', () => {
    const ids = createRecentIds(3);
    ['a', 'b', 'c'].forEach((id) => ids.seen(id));
    expect(ids.seen('a')).toBe(true); // a is now the most recent; b the least
    expect(ids.seen('d')).toBe(false); // evicts b
    expect(ids.size).toBe(3);
    expect(ids.seen('c')).toBe(true);
    expect(ids.seen('a')).toBe(true);
    expect(ids.seen('b')).toBe(false);
  });

  it('stays bounded under a long stream', () => {
    const ids = createRecentIds(5_000);
    for (let i = 0; i < 20_000; i++) ids.seen(`e-${i}`);
    expect(ids.size).toBe(5_000);
    expect(ids.seen('e-19999')).toBe(true);
    expect(ids.seen('e-0')).toBe(false);
  });
});
