import type { OutRecord } from '@threadcast/kafka';
import type { DlqEntry } from './dlq-entry';

/** What the commands need of the outside world; main.ts wires Kafka in, tests pass fakes. */
export interface DlqDeps {
  /** The DLQ's records (from `since`, epoch ms, when given), oldest first per partition. */
  read(since?: number): Promise<DlqEntry[]>;
  /** Resolves once Kafka acknowledged every record. */
  send(records: OutRecord[]): Promise<void>;
  /** One line of output (stdout). */
  out(text: string): void;
}
