import { uniqueGroupId } from './unique-group-id';

describe('uniqueGroupId', () => {
  it('names the prefix and instance, unique per call', () => {
    expect(uniqueGroupId('threadcast-gateway', 'gw-0', 'abcd')).toBe('threadcast-gateway-gw-0-abcd');
    expect(uniqueGroupId('threadcast-gateway', 'gw-0')).toMatch(/^threadcast-gateway-gw-0-[0-9a-f]{8}$/);
    expect(uniqueGroupId('p', 'gw-0')).not.toBe(uniqueGroupId('p', 'gw-0'));
  });
});
