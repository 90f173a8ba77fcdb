import { ConfigError, loadConfig } from '@threadcast/config';
import { enrichConfig } from './config';

describe('enrich config', () => {
  it('runs locally with no variable set', () => {
    expect(loadConfig(enrichConfig, {})).toMatchObject({
      OPS_PORT: 9102,
      ENRICH_GROUP_ID: 'threadcast-enrich',
      ENRICH_BURST_MAX_AUTHORS: 50_000,
      ENRICH_SPAM_THRESHOLD: 0.7,
    });
  });

  it('reads a spam threshold from 0 to 1 and names a bad one', () => {
    expect(loadConfig(enrichConfig, { ENRICH_SPAM_THRESHOLD: '0.55' }).ENRICH_SPAM_THRESHOLD).toBe(0.55);
    expect(loadConfig(enrichConfig, { ENRICH_SPAM_THRESHOLD: '1' }).ENRICH_SPAM_THRESHOLD).toBe(1);
    for (const bad of ['1.5', '-0.1', 'high', '']) {
      expect(() => loadConfig(enrichConfig, { ENRICH_SPAM_THRESHOLD: bad })).toThrow(ConfigError);
      expect(() => loadConfig(enrichConfig, { ENRICH_SPAM_THRESHOLD: bad })).toThrow(/ENRICH_SPAM_THRESHOLD/);
    }
  });
});
