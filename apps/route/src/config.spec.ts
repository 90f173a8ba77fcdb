import { ConfigError, loadConfig } from '@threadcast/config';
import { routeConfig } from './config';

describe('routeConfig', () => {
  it('needs nothing set locally', () => {
    expect(loadConfig(routeConfig, {})).toMatchObject({
      OPS_PORT: 9103,
      ROUTE_GROUP_ID: 'threadcast-route',
      ROUTE_SPAM_THRESHOLD: 0.7,
      ROUTE_VOTE_WINDOW_MS: 250,
      ROUTE_MAX_DIRTY_COMMENTS: 10_000,
      ROUTE_MAX_MENTIONS: 20,
    });
  });

  it('reads a spam threshold from 0 to 1 and names a bad one', () => {
    expect(loadConfig(routeConfig, { ROUTE_SPAM_THRESHOLD: '0.55' }).ROUTE_SPAM_THRESHOLD).toBe(0.55);
    expect(loadConfig(routeConfig, { ROUTE_SPAM_THRESHOLD: '1' }).ROUTE_SPAM_THRESHOLD).toBe(1);
    for (const bad of ['1.5', '-0.1', 'high', '']) {
      expect(() => loadConfig(routeConfig, { ROUTE_SPAM_THRESHOLD: bad })).toThrow(ConfigError);
      expect(() => loadConfig(routeConfig, { ROUTE_SPAM_THRESHOLD: bad })).toThrow(/ROUTE_SPAM_THRESHOLD/);
    }
  });
});
