import type { WireProtocol } from './loadgen/wire-protocol';
import type { Probe } from './probe-client';

/** A WebSocket server a scenario measures (our gateway, the naive baseline, Centrifugo). */
export interface ServerUnderTest {
  label: string;
  url: string;
  pid: number;
  probe: Probe;
  /** A V8 process that --profile can profile (not Centrifugo). */
  profilable: boolean;
  /** What its clients speak (default threadcast's protocol); Centrifugo's token secret. */
  protocol?: WireProtocol;
  hmacSecret?: string;
  kill(): void;
  stop(): Promise<void>;
}
