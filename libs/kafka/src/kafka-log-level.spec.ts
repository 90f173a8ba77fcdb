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

  it('turns a consumer crash on a retriable error, and its automatic restart, into warnings', () => {
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Consumer',
        "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
        undefined,
      ),
    ).toBe('warn');
    expect(kafkaLogLevel(logLevel.ERROR, 'Consumer', 'Restarting the consumer in 200ms', undefined)).toBe(
      'warn',
    );
  });

  it('turns lines about a lost broker connection, which kafkajs retries, into warnings', () => {
    for (const [namespace, message] of [
      ['Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
      ['Connection', 'Connection error: read ECONNRESET'],
      ['Connection', 'Connection timeout'],
      ['Producer', 'Failed to send messages: Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
      [
        'Consumer',
        'Crash: KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      ],
    ] as const) {
      expect(kafkaLogLevel(logLevel.ERROR, namespace, message, undefined)).toBe('warn');
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
    // A consumer crash on anything but a retriable error stays an error.
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Consumer', 'Crash: x', 'The group coordinator is not available'),
    ).toBe('error');
    expect(
      kafkaLogLevel(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNonRetriableError: broker gone', undefined),
    ).toBe('error');
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Producer',
        'Failed to send messages: Broker: topic authorization failed',
        undefined,
      ),
    ).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'Connection', 'Response x', 'y')).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, 'Runner', 'z', undefined)).toBe('info');
  });
});
