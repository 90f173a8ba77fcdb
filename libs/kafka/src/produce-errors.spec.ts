import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { produceErrorKind, produceErrorType } from './produce-errors';

const protocol = (type: string) => Object.assign(new KafkaJSProtocolError('refused'), { type });

describe('produceErrorKind', () => {
  it('calls refusals of what a batch holds record errors', () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']) {
      expect(produceErrorKind(protocol(type))).toBe('record');
    }
  });

  it('calls refusals no record is at fault for operator errors', () => {
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'INVALID_REQUIRED_ACKS', 'INVALID_TIMESTAMP']) {
      expect(produceErrorKind(protocol(type))).toBe('operator');
    }
  });

  it('calls everything else transient, kafkajs client errors and CORRUPT_MESSAGE included', () => {
    expect(produceErrorKind(protocol('CORRUPT_MESSAGE'))).toBe('transient');
    expect(produceErrorKind(protocol('NOT_LEADER_FOR_PARTITION'))).toBe('transient');
    expect(produceErrorKind(new KafkaJSNonRetriableError('Invalid message without value'))).toBe('transient');
    expect(produceErrorKind('boom')).toBe('transient');
  });

  it('finds the broker error type through wrapping errors', () => {
    const wrapped = Object.assign(new KafkaJSNonRetriableError('wrapped'), {
      cause: protocol('MESSAGE_TOO_LARGE'),
    });
    expect(produceErrorType(wrapped)).toBe('MESSAGE_TOO_LARGE');
  });
});
