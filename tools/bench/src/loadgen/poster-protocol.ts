/** The commands the pipeline's comment poster answers, and what it answers with. */
import type { HistogramData } from '../histogram';
import type { Usage } from '../self-usage';

export interface PostArgs {
  /** ingest's base URL. */
  url: string;
  threads: string[];
  /** Comments per second, round-robin over the threads. */
  rate: number;
  seconds: number;
  /** Distinct authors to rotate through, so no author looks like a spam burst. */
  authors: number;
  /** Emit a `posted` event once this many comments were accepted (fault injection). */
  notifyAt?: number;
}

export interface PostResult {
  sent: number;
  accepted: number;
  /** Non-202 answers and network errors, by status or error code. */
  failures: Record<string, number>;
  /** Per thread index, the sequence numbers accepted so far (every `post` call of the run). */
  acceptedSeqs: number[][];
  /** POST sent -> 202 received, µs. */
  httpLatency: HistogramData;
  firstT: number;
  lastT: number;
  /** The most comments the poster was ever behind its schedule, and requests in flight at most. */
  maxBehind: number;
  maxInFlight: number;
  usage: Usage;
}
