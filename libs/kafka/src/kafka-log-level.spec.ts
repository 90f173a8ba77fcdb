import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level';

describe('kafkaLogLevel', () => {
  it('turns error responses kafkajs retries by itself into warnings', () => {
    for (const error of [
      'This server is not the leader for that topic-partition',
      "The coordinator is loading and hence can't process requests for this group",
      'The group coordinator is not available',
    ]) {
      expect(
        kafkaLogLevel(logLevel.ERROR, 'Connection', 'Response ListOffsets(key: 2, version: 3)', error),
      ).toBe('warn');
    }
  });

  it('keeps errors someone must act on', () => {
    const auth = 'Request is not valid given the current SASL state';
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Connection', 'Response SaslAuthenticate(key: 36, version: 1)', auth),
    ).toBe('error');
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Connection',
        'Response Produce(key: 0, version: 7)',
        'The request included a message larger than the max message size the server will accept',
      ),
    ).toBe('error');
    // Only response lines: a consumer crash stays an error whatever its message.
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Consumer', 'Crash: x', 'The group coordinator is not available'),
    ).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'Connection', 'Response x', 'y')).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, 'Runner', 'z', undefined)).toBe('info');
  });
});
