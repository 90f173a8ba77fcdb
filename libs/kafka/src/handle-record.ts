import { DLQ_HEADERS } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import { isRetriable, PoisonRecordError } from '@threadcast/runtime';
import { context, SpanStatusCode, type Context } from '@opentelemetry/api';
import { backoffMs, sleep } from './backoff';
import { deadLetter } from './dead-letter';
import type { InRecord, OutRecord } from './records';
import { startProcessSpan } from './record-tracing';

export interface HandleRecordDeps {
  stage: string;
  handler: (record: InRecord) => OutRecord[] | Promise<OutRecord[]>;
  deadLetterTopic: string;
  logger: Logger;
  onRetry(): void;
  /** True when retrying makes no sense any more (the partition moved, the stage stops). */
  abandoned(): boolean;
  heartbeat(): Promise<void>;
}

/**
 * One record through the handler, in its own `process <topic>` span (a child of the span that
 * published it): its outputs, or its dead-letter copy when the handler refuses it. Retriable
 * errors are retried after a jittered backoff until they pass or the record is abandoned (then
 * the error is thrown, and the record is handled again by whoever reads it next).
 */
export async function handleRecord(
  record: InRecord,
  deps: HandleRecordDeps,
): Promise<{ outputs: OutRecord[]; ctx: Context }> {
  const { span, ctx } = startProcessSpan(record, deps.stage);
  try {
    const outputs = await context.with(ctx, () => attempt(record, deps));
    for (const r of outputs) {
      if (r.topic !== deps.deadLetterTopic) continue;
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead-lettered' });
      span.setAttribute('threadcast.dlq.reason', r.headers?.[DLQ_HEADERS.reason] ?? '');
    }
    return { outputs, ctx };
  } catch (e) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    span.end();
  }
}

async function attempt(record: InRecord, deps: HandleRecordDeps): Promise<OutRecord[]> {
  for (let n = 0; ; n++) {
    try {
      const outputs = await deps.handler(record);
      // A keyless output would fail the whole produce request (and every one after it, again and
      // again): a handler bug, dead-lettered here with the record that caused it.
      for (const r of outputs) {
        if (r.key === null || r.key === undefined) {
          throw new PoisonRecordError(
            'invalid_output',
            `the handler made a record for ${r.topic} without a key`,
          );
        }
      }
      return outputs;
    } catch (e) {
      if (!isRetriable(e)) {
        const code = e instanceof PoisonRecordError ? e.code : 'handler_error';
        const message = e instanceof Error ? e.message : String(e);
        const { topic, partition, offset } = record;
        deps.logger.warn({ topic, partition, offset, code, reason: message }, 'dead-lettering record');
        return [deadLetter(record, deps.stage, { code, message }, deps.deadLetterTopic)];
      }
      deps.onRetry();
      if (deps.abandoned()) throw e;
      await sleep(backoffMs(n));
      await deps.heartbeat();
    }
  }
}
