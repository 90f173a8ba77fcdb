import { commentRecord, TOPICS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { hotComment, routeVoteRecords } from './format-route-votes';
import { history } from './history';

describe("route.votes-changelog in route's store format", () => {
  const h = history('r', {
    users: 100,
    comments: 10,
    threads: 3,
    votes: 25,
    hotVoters: 5,
    votersPerComment: 10,
  });

  it("writes a bare c/ record per comment and a v/ record per vote, in that comment's order", () => {
    const records = [...routeVoteRecords(h, 12)];
    expect(records.slice(0, 7).map((r) => r.key)).toEqual([
      'c/r-c0',
      'v/r-c0/r-u0',
      'v/r-c0/r-u1',
      'v/r-c0/r-u2',
      'v/r-c0/r-u3',
      'v/r-c0/r-u4',
      'c/r-c1',
    ]);
    expect(records.filter((r) => String(r.key).startsWith('c/'))).toHaveLength(10);
    expect(records.filter((r) => String(r.key).startsWith('v/'))).toHaveLength(25);
    expect(records[0]).toEqual({
      topic: TOPICS.routeVotesChangelog,
      partition: expect.any(Number),
      key: 'c/r-c0',
      value: 'r-t0',
    });
    // voteValue: every fifth vote down.
    expect(records.slice(1, 6).map((r) => r.value)).toEqual(['+', '+', '+', '+', '-']);
    for (const r of records) expect(r.headers).toBeUndefined();
  });

  it('puts each record in the partition of its thread in comments.enriched, for any partition count', () => {
    for (const partitions of [3, 12]) {
      for (const r of routeVoteRecords(h, partitions)) {
        const commentId = String(r.key).split('/')[1]!;
        const c = Number(commentId.slice('r-c'.length));
        // The partition route reads the comment's events from: Kafka's partitioner on their key.
        const input = commentRecord({
          type: 'comment.voted',
          threadId: h.threadId(h.threadOf(c)),
          commentId,
          userId: h.userId(1),
          value: 1,
        });
        expect(r.partition).toBe(partitionForKey(input.key, partitions));
      }
    }
    const spread = new Set([...routeVoteRecords(h, 12)].map((r) => r.partition));
    expect(spread.size).toBeGreaterThan(1);
  });

  it('seeds every voter of a hot comment, far past what one whole-state record held', () => {
    const big = history('abc123', {
      users: 200_000,
      comments: 10,
      threads: 2,
      votes: 100_000,
      hotVoters: 100_000,
      votersPerComment: 10,
    });
    expect(hotComment(big)).toEqual({ commentId: 'abc123-c0', voters: 100_000 });
    let votes = 0;
    let maxBytes = 0;
    for (const r of routeVoteRecords(big, 12)) {
      if (!String(r.key).startsWith('v/abc123-c0/')) continue;
      votes++;
      maxBytes = Math.max(maxBytes, Buffer.byteLength(r.key) + Buffer.byteLength(String(r.value)));
    }
    expect(votes).toBe(100_000);
    expect(maxBytes).toBeLessThan(40);
  });
});
