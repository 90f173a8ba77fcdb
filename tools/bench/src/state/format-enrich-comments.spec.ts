import { commentRecord, CommentIndexEntry, decodeWith, TOPICS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { enrichCommentRecords } from './format-enrich-comments';
import { history } from './history';

describe("enrich.comments-changelog in enrich's comment index format", () => {
  const h = history('r', {
    users: 100,
    comments: 10,
    threads: 3,
    votes: 25,
    hotVoters: 5,
    votersPerComment: 10,
  });

  it('writes one bare record per comment: key = comment id, value = its index entry', () => {
    const records = [...enrichCommentRecords(h, 12)];
    expect(records.map((r) => r.key)).toEqual(Array.from({ length: 10 }, (_, c) => `r-c${c}`));
    expect(records[1]).toEqual({
      topic: TOPICS.enrichCommentsChangelog,
      partition: expect.any(Number),
      key: 'r-c1',
      // The bytes enrich writes (apps/enrich/src/tables.store.spec.ts pins its side).
      value: JSON.stringify({ commentId: 'r-c1', threadId: 'r-t1', authorId: `r-u${7919 % 100}` }),
    });
    for (const r of records) expect(r.headers).toBeUndefined();
  });

  it('decodes as enrich reads its index: a valid CommentIndexEntry whose comment id is the key', () => {
    // TABLE_SPECS.comments in apps/enrich/src/tables.ts: decodeWith(CommentIndexEntry), keyOf = commentId.
    for (const r of enrichCommentRecords(h, 12)) {
      const decoded = decodeWith(CommentIndexEntry, Buffer.from(String(r.value)));
      if (!decoded.ok) throw new Error(`${String(r.key)}: ${decoded.code}: ${decoded.message}`);
      const c = Number(String(r.key).slice('r-c'.length));
      expect(decoded.value).toEqual({
        commentId: r.key,
        threadId: h.threadId(h.threadOf(c)),
        authorId: h.userId(h.authorOf(c)),
      });
    }
  });

  it('puts each record in the partition of its thread in comments, for any partition count', () => {
    for (const partitions of [3, 12]) {
      for (const r of enrichCommentRecords(h, partitions)) {
        const entry = JSON.parse(String(r.value)) as CommentIndexEntry;
        // The partition enrich reads the comment's events from: Kafka's partitioner on their key.
        const input = commentRecord({
          type: 'comment.voted',
          threadId: entry.threadId,
          commentId: entry.commentId,
          userId: h.userId(1),
          value: 1,
        });
        expect(input.topic).toBe(TOPICS.comments);
        expect(r.partition).toBe(partitionForKey(input.key, partitions));
      }
    }
    const spread = new Set([...enrichCommentRecords(h, 12)].map((r) => r.partition));
    expect(spread.size).toBeGreaterThan(1);
  });
});
