import { gatewayGroupId } from './delivery-source';

describe('gatewayGroupId', () => {
  it('is unique per process, even for the same instance name', () => {
    expect(gatewayGroupId('gw-0', 'abcd')).toBe('threadcast-gateway-gw-0-abcd');
    expect(gatewayGroupId('gw-0')).toMatch(/^threadcast-gateway-gw-0-[0-9a-f]{8}$/);
    expect(gatewayGroupId('gw-0')).not.toBe(gatewayGroupId('gw-0'));
  });
});
