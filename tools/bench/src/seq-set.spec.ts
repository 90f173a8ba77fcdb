import { createSeqSet } from './seq-set';

describe('seq set', () => {
  it('tells first arrivals from duplicates and grows as needed', () => {
    const s = createSeqSet();
    expect(s.add(0)).toBe(true);
    expect(s.add(5000)).toBe(true);
    expect(s.add(0)).toBe(false);
    expect(s.add(5000)).toBe(false);
    expect(s.has(4999)).toBe(false);
    expect(s.has(5000)).toBe(true);
    expect(s.has(1_000_000)).toBe(false);
    expect(s.size).toBe(2);
  });
});
