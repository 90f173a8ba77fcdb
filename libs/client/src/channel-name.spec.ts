import { parseChannel } from '@threadcast/contracts';
import { isChannelName } from './channel-name';

describe('isChannelName', () => {
  const names = [
    'thread:t1',
    'user:u-1',
    'mod:forum_1.x',
    `thread:${'a'.repeat(128)}`,
    `thread:${'a'.repeat(129)}`,
    'thread:',
    'thread:a b',
    'thread:é',
    'room:1',
    'thread',
    ':t1',
    'THREAD:t1',
    'user:u:1',
    '',
  ];

  it.each(names)('agrees with parseChannel from the contracts on %j', (name) => {
    expect(isChannelName(name)).toBe(parseChannel(name) !== undefined);
  });
});
