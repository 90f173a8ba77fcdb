/**
 * The votes the state scenario sends through the running pipeline to see what a vote costs the
 * changelogs: produced to `comments` (the published contract, as ingest or a product team
 * writes it), then waited for until both stages have committed past them.
 */
import { commentRecord } from '@threadcast/contracts';
import { createKeyedProducer, type Kafka, type OutRecord } from '@threadcast/kafka';
import { votesOn, type History } from './history';

export interface VoteSet {
  label: string;
  records: OutRecord[];
}

function vote(h: History, c: number, voter: number): OutRecord {
  return commentRecord({
    type: 'comment.voted',
    threadId: h.threadId(h.threadOf(c)),
    commentId: h.commentId(c),
    userId: h.userId(voter),
    value: 1,
  });
}

/** n votes, one each on the voted comments in turn, every one by a voter new to that comment. */
export function spreadVotes(h: History, n: number): VoteSet {
  const comments = Math.max(1, h.votedComments);
  const records = Array.from({ length: n }, (_, k) => {
    const c = 1 + (k % comments);
    return vote(h, c, h.voterOf(c, votesOn(h, c) + Math.floor(k / comments)));
  });
  return {
    label: `${n} votes, one per comment, on comments with ~${h.sizes.votersPerComment} voters`,
    records,
  };
}

/** n votes on one comment that had none: n voters cost what today's format makes them cost. */
export function oneCommentVotes(h: History, n: number): VoteSet {
  const c = h.freshComment;
  return {
    label: `${n} votes on one comment that had none`,
    records: Array.from({ length: n }, (_, k) => vote(h, c, h.voterOf(c, k))),
  };
}

/** One more voter on the hot comment. */
export function hotVote(h: History, heldVoters: number): VoteSet {
  const c = h.hotComment;
  return { label: 'one more vote on the hot comment', records: [vote(h, c, h.voterOf(c, heldVoters))] };
}

export async function produceVotes(kafka: Kafka, set: VoteSet): Promise<void> {
  const producer = createKeyedProducer(kafka, { maxBatchRecords: 1000 });
  await producer.connect();
  try {
    await producer.send(set.records);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Waits until `groupId` has committed every record `topic` holds now. The stages commit only
 * what they handled and whose outputs were acknowledged, so this means: handled, written.
 */
export async function waitCommitted(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs = 120_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      if (ends.every((e) => Number(e.high) === 0 || (at.get(e.partition) ?? -1) >= Number(e.high))) return;
      if (Date.now() > deadline)
        throw new Error(`${groupId} did not commit ${topic} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
