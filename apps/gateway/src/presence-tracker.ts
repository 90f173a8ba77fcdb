/**
 * "N reading now" across gateway pods. Each pod knows its own subscribers per channel exactly;
 * every `intervalMs` it publishes the counts that changed since it last published them (keyed by
 * channel, with its pod id) to the `presence` topic, and every `refreshMs` all of them (so a pod
 * that starts following a partition learns the unchanged ones, and a live pod's counts never
 * expire); it keeps the latest count every other pod published for the channels it serves. A
 * pod that has not been heard from for `expiryMs` (it died, or lost Kafka; longer than the
 * refresh) no longer counts. The total of a channel is this pod's live count plus the other pods' latest counts;
 * when it changes, the channel's local subscribers get a `presence` frame.
 *
 * No Kafka here: records come in through `received`, go out through `publish`, and frames go out
 * through `broadcast`, so the logic is tested with a fake clock.
 */
import { presenceFrame } from '@threadcast/contracts';

/** One pod's count of one channel, as carried in a `presence` record's value. */
export interface PresenceReport {
  pod: string;
  count: number;
}

export interface PresenceTrackerOptions {
  /** This pod's id: its own records read back from Kafka are ignored (its live count is used). */
  pod: string;
  /** Readers of the channel on this pod, now (one per client address). */
  localCount(channel: string): number;
  /** Sends counts to Kafka (one record per channel). Called at a `tick` with something to send. */
  publish(reports: { channel: string; count: number }[]): void;
  /**
   * Every this many ms a tick publishes every count, changed or not; the ticks between publish
   * only the changed ones. Default 0: every tick publishes every count.
   */
  refreshMs?: number;
  /** Sends the frame to the channel's subscribers on this pod. */
  broadcast(channel: string, frame: string): void;
  /** Reports older than this no longer count. */
  expiryMs: number;
  /**
   * Least time between two frames of one channel; changes meanwhile go out together once it
   * has passed. A join storm on a channel of N readers then costs N frames a gap, not N per
   * join. The first frame to a channel's subscribers is never held. 0: every flush sends.
   */
  minGapMs?: number;
  /**
   * Channels whose counts this pod publishes, at most: without a cap, anonymous subscriptions
   * to made-up channels would each cost a presence record every interval. Channels past it are
   * told only this pod's readers (and what other pods publish). Default: no cap.
   */
  maxChannels?: number;
  /** After each tick: how many channels with readers went unpublished for the cap. */
  onUnpublished?(channels: number): void;
  now?: () => number;
}

export interface PresenceTracker {
  /** A local subscriber joined or left the channel. */
  localChanged(channel: string): void;
  /** A `presence` record arrived (from any pod, this one included). */
  received(channel: string, report: PresenceReport): void;
  /** Every interval: publish local counts, drop expired pods, send totals that changed. */
  tick(): void;
  /**
   * Sends totals that changed since they were last sent, except where the channel's last frame
   * is more recent than `minGapMs`: those are held and looked at again once per gap. Returns
   * the ms until then (undefined: nothing held).
   */
  flush(): number | undefined;
  /** The current total of a channel (this pod's live count plus live remote reports). */
  total(channel: string): number;
  /** Channels this tracker holds any state for (local or remote). */
  readonly channelCount: number;
}

/** A `presence` record's value: the key is the channel's Kafka key, so the channel rides here. */
export function presenceRecordValue(channel: string, report: PresenceReport): string {
  return JSON.stringify({ channel, pod: report.pod, count: report.count });
}

/** Parses a `presence` record value; undefined for anything that is not a report. */
export function parsePresenceRecord(
  value: Buffer | string | null | undefined,
): (PresenceReport & { channel: string }) | undefined {
  if (value === null || value === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { channel, pod, count } = v as Record<string, unknown>;
  if (typeof channel !== 'string' || channel === '') return undefined;
  if (typeof pod !== 'string' || pod === '') return undefined;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return undefined;
  return { channel, pod, count };
}

interface Remote {
  count: number;
  seenAt: number;
}

interface ChannelState {
  /** Other pods' latest counts, by pod id. */
  readonly remotes: Map<string, Remote>;
  /** The total last sent to local subscribers (-1: never sent). */
  sent: number;
  /** When it was sent. */
  sentAt: number;
  /** The count this pod last published for the channel (-1: none, or dropped by the cap). */
  published: number;
}

export function createPresenceTracker(opts: PresenceTrackerOptions): PresenceTracker {
  const now = opts.now ?? Date.now;
  const minGap = opts.minGapMs ?? 0;
  const maxChannels = opts.maxChannels ?? Infinity;
  const refreshMs = opts.refreshMs ?? 0;
  let nextRefresh = 0;
  const channels = new Map<string, ChannelState>();
  const dirty = new Set<string>();

  const stateOf = (channel: string) => {
    let s = channels.get(channel);
    if (!s) channels.set(channel, (s = { remotes: new Map(), sent: -1, sentAt: 0, published: -1 }));
    return s;
  };

  const total = (channel: string) => {
    let sum = opts.localCount(channel);
    const s = channels.get(channel);
    if (s) for (const r of s.remotes.values()) sum += r.count;
    return sum;
  };

  /** Channels with a change not sent yet because their last frame is too recent. */
  const held = new Set<string>();
  let nextHeldScan = 0;

  /** Sends the channel's total if it changed and may be sent now; true when it must wait. */
  const settle = (channel: string, s: ChannelState, t: number): boolean => {
    const local = opts.localCount(channel);
    if (local === 0) {
      // Nobody here to tell: forget what was sent, so a newcomer gets the count.
      s.sent = -1;
      if (s.remotes.size === 0 && s.published <= 0) channels.delete(channel);
      return false;
    }
    const count = total(channel);
    if (count === s.sent) return false;
    if (s.sent >= 0 && t - s.sentAt < minGap) return true;
    s.sent = count;
    s.sentAt = t;
    opts.broadcast(channel, presenceFrame(channel, count));
    return false;
  };

  const flush = (): number | undefined => {
    const t = now();
    for (const channel of dirty) {
      const s = channels.get(channel);
      if (s && settle(channel, s, t)) held.add(channel);
    }
    dirty.clear();
    // Held channels are looked at once per gap, not at every flush: a join storm flushes at
    // every event-loop turn, and rescanning thousands of held channels each time would cost more
    // than the frames saved.
    if (held.size > 0 && t >= nextHeldScan) {
      for (const channel of held) {
        const s = channels.get(channel);
        if (!s || !settle(channel, s, t)) held.delete(channel);
      }
      nextHeldScan = t + minGap;
    }
    return held.size > 0 ? Math.max(0, nextHeldScan - t) : undefined;
  };

  return {
    localChanged(channel) {
      stateOf(channel);
      dirty.add(channel);
    },
    received(channel, report) {
      if (report.pod === opts.pod) return;
      const s = stateOf(channel);
      if (report.count === 0) s.remotes.delete(report.pod);
      else s.remotes.set(report.pod, { count: report.count, seenAt: now() });
      dirty.add(channel);
    },
    tick() {
      const t = now();
      const full = t >= nextRefresh;
      if (full) nextRefresh = t + refreshMs;
      const reports: { channel: string; count: number }[] = [];
      let unpublished = 0;
      let counted = 0;
      for (const [channel, s] of channels) {
        for (const [pod, r] of s.remotes) {
          if (t - r.seenAt >= opts.expiryMs) {
            s.remotes.delete(pod);
            dirty.add(channel);
          }
        }
        const count = opts.localCount(channel);
        if (count > 0 && counted++ >= maxChannels) {
          // Past the cap: not published (other pods expire its last count).
          unpublished++;
          s.published = -1;
        } else if (count !== s.published || (full && count > 0)) {
          // A zero once after the last subscriber left, so other pods drop this one at once
          // instead of waiting for the expiry; nothing for a channel never published.
          if (count > 0 || s.published > 0) reports.push({ channel, count });
          s.published = count;
        }
        if (count === 0) dirty.add(channel);
      }
      if (reports.length > 0) opts.publish(reports);
      opts.onUnpublished?.(unpublished);
      flush();
    },
    flush,
    total,
    get channelCount() {
      return channels.size;
    },
  };
}
