import { loadConfig } from '@threadcast/config';
import { routeConfig } from './config';

describe('routeConfig', () => {
  it('needs nothing set locally', () => {
    expect(loadConfig(routeConfig, {})).toMatchObject({
      OPS_PORT: 9103,
      ROUTE_GROUP_ID: 'threadcast-route',
      ROUTE_VOTE_WINDOW_MS: 250,
      ROUTE_MAX_DIRTY_COMMENTS: 10_000,
      ROUTE_MAX_MENTIONS: 20,
    });
  });
});
