import { createPartitionPositions } from './partition-positions';

describe('partition positions', () => {
  it('keeps the offset after the newest record, which replays of older ones do not move back', () => {
    const positions = createPartitionPositions(4);
    expect(positions.live(2)).toBeUndefined();
    positions.restart(2, 40);
    expect(positions.live(2)).toBe(40);
    positions.advance(2, 40);
    positions.advance(2, 41);
    expect(positions.live(2)).toBe(42);
    positions.advance(2, 10); // a replay for a newcomer
    expect(positions.live(2)).toBe(42);
    expect(positions.live(1)).toBeUndefined();
    positions.restart(2, 100);
    expect(positions.live(2)).toBe(100);
  });
});
