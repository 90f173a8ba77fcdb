import { JAVA_FIXTURES } from './murmur2.fixtures';
import { murmur2, partitionForKey } from './murmur2';

describe('murmur2', () => {
  it.each(JAVA_FIXTURES)('hashes %j as Java does', (key, hash, partition) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    expect(partitionForKey(key, 12)).toBe(partition);
  });
});
