import { DLQ_HEADERS } from '@threadcast/contracts';
import { createLogger, PoisonRecordError, RetriableError } from '@threadcast/runtime';
import { handleRecord, type HandleRecordDeps } from './handle-record';
import type { InRecord, OutRecord } from './records';

const record: InRecord = {
  topic: 'in',
  partition: 1,
  offset: '7',
  key: Buffer.from('t1'),
  value: Buffer.from('{}'),
  headers: {},
  timestamp: '0',
};

function deps(handler: HandleRecordDeps['handler'], extra: Partial<HandleRecordDeps> = {}): HandleRecordDeps {
  return {
    stage: 'it',
    handler,
    deadLetterTopic: 'dlq',
    logger: createLogger({ service: 'test', level: 'silent' }),
    onRetry: () => undefined,
    abandoned: () => false,
    heartbeat: () => Promise.resolve(),
    ...extra,
  };
}

describe('handleRecord', () => {
  it('returns the handler outputs as they are', async () => {
    const out: OutRecord[] = [{ topic: 'out', key: 't1', value: 'x' }];
    const { outputs } = await handleRecord(
      record,
      deps(() => out),
    );
    expect(outputs).toBe(out);
  });

  it('dead-letters a poison record with its code, to the topic it was given', async () => {
    const { outputs } = await handleRecord(
      record,
      deps(() => {
        throw new PoisonRecordError('invalid_json', 'not JSON');
      }),
    );
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.topic).toBe('dlq');
    expect(outputs[0]!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'invalid_json',
      [DLQ_HEADERS.stage]: 'it',
    });
  });

  it('dead-letters a record whose handler made a keyless output, instead of failing every produce', async () => {
    const keyless = { topic: 'out', key: undefined, value: 'x' } as unknown as OutRecord;
    const { outputs } = await handleRecord(
      record,
      deps(() => [keyless]),
    );
    expect(outputs.map((r) => [r.topic, r.headers?.[DLQ_HEADERS.code]])).toEqual([['dlq', 'invalid_output']]);
  });

  it('retries a retriable failure, and gives up (throws) once the record is abandoned', async () => {
    let calls = 0;
    let retries = 0;
    const flaky = () => {
      if (++calls < 3) throw new RetriableError('flaky', 'again');
      return [{ topic: 'out', key: 't1', value: 'ok' }];
    };
    const { outputs } = await handleRecord(record, deps(flaky, { onRetry: () => retries++ }));
    expect(outputs[0]!.value).toBe('ok');
    expect(retries).toBe(2);
    const never = () => {
      throw new RetriableError('down', 'again');
    };
    await expect(handleRecord(record, deps(never, { abandoned: () => true }))).rejects.toThrow('again');
  });
});
