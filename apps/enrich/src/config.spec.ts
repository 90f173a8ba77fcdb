import { loadConfig } from '@threadcast/config';
import { enrichConfig } from './config';

describe('enrich config', () => {
  it('runs locally with no variable set', () => {
    expect(loadConfig(enrichConfig, {})).toMatchObject({
      OPS_PORT: 9102,
      ENRICH_GROUP_ID: 'threadcast-enrich',
      ENRICH_BURST_MAX_AUTHORS: 50_000,
    });
  });
});
