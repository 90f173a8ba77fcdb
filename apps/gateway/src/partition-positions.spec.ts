import { channelKey } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { createPartitionPositions } from './partition-positions';

describe('partition positions', () => {
  it("gives a channel its partition's last read offset as a cursor", () => {
    const positions = createPartitionPositions(12);
    const channel = 'thread:t-positions';
    const p = partitionForKey(channelKey(channel), 12);
    expect(positions.cursorForChannel(channel)).toBeNull();
    positions.advance((p + 1) % 12, '99');
    expect(positions.cursorForChannel(channel)).toBeNull();
    positions.advance(p, '5');
    positions.advance(p, '6');
    expect(positions.cursorForChannel(channel)).toBe(`${p}-6`);
  });

  it('keys user and mod channels by their whole name, as route does', () => {
    const positions = createPartitionPositions(12);
    const p = partitionForKey('user:u1', 12);
    positions.advance(p, '1');
    expect(positions.cursorForChannel('user:u1')).toBe(`${p}-1`);
  });
});
