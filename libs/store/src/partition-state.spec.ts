import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalPartition } from './local-partition';
import { openPartitionEnv } from './partition-env';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'store-spec-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('partition state', () => {
  it('writes to disk and returns the bare changelog record for the same partition number', async () => {
    const path = dir();
    const p = openLocalPartition(path, 7, 'it.changelog');
    expect(p.state.put('k1', Buffer.from('v'))).toEqual({
      topic: 'it.changelog',
      partition: 7,
      key: 'k1',
      value: Buffer.from('v'),
      changelog: true,
    });
    p.state.put('k2', Buffer.from('w'));
    p.state.put('x', Buffer.from('y'));
    p.state.local.set('derived', Buffer.from('d'));
    expect([...p.state.keys('k')]).toEqual(['k1', 'k2']);
    expect(p.state.remove('k1')).toMatchObject({ key: 'k1', value: null, partition: 7 });
    await p.close();
    // Reopened: what was written is on disk, the local data too.
    const again = openLocalPartition(path, 7, 'it.changelog');
    expect(again.state.get('k1')).toBeUndefined();
    expect(again.state.get('k2')).toEqual(Buffer.from('w'));
    expect(again.state.local.get('derived')).toEqual(Buffer.from('d'));
    await again.close();
  });

  it('keeps the checkpoint with the data, and clear drops both', async () => {
    const env = openPartitionEnv(dir());
    expect(env.checkpoint()).toBeUndefined();
    expect(env.isEmpty()).toBe(true);
    env.data.putSync('a', Buffer.from('1'));
    env.setCheckpoint(42);
    expect(env.checkpoint()).toBe(42);
    expect(env.isEmpty()).toBe(false);
    env.clear();
    expect(env.checkpoint()).toBeUndefined();
    expect(env.isEmpty()).toBe(true);
    await env.close();
  });
});
