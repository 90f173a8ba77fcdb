import { DLQ_HEADERS } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import { deadLetter, fitDeadLetter } from './dead-letter';
import { RecordsRefusedError, type KeyedProducer, type RefusedRecord } from './keyed-producer';
import type { InRecord, OutRecord } from './records';

export interface DeadLetterRefusedDeps {
  producer: KeyedProducer;
  stage: string;
  deadLetterTopic: string;
  logger: Logger;
  /** An input was dead-lettered because an output of it was refused. */
  onDeadLettered(input: InRecord): void;
  /** An input's dead-letter copy was refused too: it is nowhere but at its source position. */
  onLost(input: InRecord): void;
}

/**
 * After the producer refused some of a batch's outputs for good (and wrote the others): each
 * input that made a refused output is dead-lettered (`output_refused`, naming the output topic
 * and the broker's error), its copy cut to fit a request. A refused output that was itself a
 * dead-letter copy (a poison record's, too large) is sent again cut to fit, with its own code and
 * reason. A copy refused again is given up on: one ERROR log with the record's position, counted
 * in `threadcast_dead_letters_lost_total`, and the stage goes on. Rejects (and the stage reads
 * the batch again) only when the dead-letter write fails in a way worth retrying.
 */
export async function deadLetterRefused(
  refused: readonly RefusedRecord[],
  outputs: readonly OutRecord[],
  inputs: readonly InRecord[],
  deps: DeadLetterRefusedDeps,
): Promise<void> {
  const { stage, deadLetterTopic, logger, producer } = deps;
  const copies: OutRecord[] = [];
  const copied: InRecord[] = [];
  const redone: boolean[] = [];
  for (const f of refused) {
    const output = outputs[f.index]!;
    const input = inputs[f.index]!;
    if (copied.includes(input)) continue;
    const h = output.headers ?? {};
    const again = output.topic === deadLetterTopic;
    const reason = again
      ? { code: h[DLQ_HEADERS.code] ?? 'handler_error', message: h[DLQ_HEADERS.reason] ?? '' }
      : {
          code: 'output_refused',
          message: `${output.topic} refused an output of this record for good (${f.code}, ${f.bytes} bytes): ${f.message}`,
        };
    const copy = fitDeadLetter(deadLetter(input, stage, reason, deadLetterTopic), producer.maxRequestBytes);
    const { topic, partition, offset } = input;
    const truncated = copy.headers?.[DLQ_HEADERS.valueTruncated];
    logger.warn(
      { topic, partition, offset, code: reason.code, reason: reason.message, truncated },
      again ? 'dead-letter copy refused; sending it cut to fit' : 'dead-lettering record',
    );
    copies.push({ ...copy, traceContext: output.traceContext });
    copied.push(input);
    redone.push(again);
  }
  const lost = new Set<number>();
  try {
    await producer.send(copies);
  } catch (e) {
    if (!(e instanceof RecordsRefusedError)) throw e;
    for (const f of e.refused) {
      lost.add(f.index);
      const { topic, partition, offset } = copied[f.index]!;
      logger.error(
        { topic, partition, offset, error: f.code, reason: f.message },
        'dead-letter copy refused for good: the record is neither processed nor in the DLQ; it is still at its source position',
      );
      deps.onLost(copied[f.index]!);
    }
  }
  copied.forEach((input, i) => {
    if (!lost.has(i) && !redone[i]) deps.onDeadLettered(input);
  });
}
