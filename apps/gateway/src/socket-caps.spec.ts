import { createSocketCaps } from './socket-caps';

describe('socket caps', () => {
  it('admits up to the per-address and per-pod caps and gives slots back', () => {
    const caps = createSocketCaps(3, 2);
    expect(caps.take('a')).toBe('ok');
    expect(caps.take('a')).toBe('ok');
    expect(caps.take('a')).toBe('address_full');
    expect(caps.take('b')).toBe('ok');
    expect(caps.take('c')).toBe('pod_full');
    expect(caps.total).toBe(3);
    caps.release('a');
    expect(caps.countOf('a')).toBe(1);
    expect(caps.take('c')).toBe('ok');
    // Releasing an address with no slot changes nothing.
    caps.release('zzz');
    expect(caps.total).toBe(3);
  });
});
