import type { Admin } from 'kafkajs';
import { createTopicsAndWait } from './provision-topics';

// An admin as kafkajs behaves on a new topic of a 3-broker cluster: metadata lists the
// partitions before their leaders, and fetchTopicOffsets then throws a (non-retriable) TypeError.
function newTopicAdmin(opts: { leaderlessAnswers: number; typeErrors: number }) {
  let leaderless = opts.leaderlessAnswers;
  let typeErrors = opts.typeErrors;
  const calls = { metadata: 0, offsets: 0 };
  const admin = {
    createTopics: async () => true,
    fetchTopicMetadata: async () => {
      calls.metadata++;
      const leader = leaderless-- > 0 ? -1 : 1;
      return { topics: [{ name: 't', partitions: [{ partitionId: 0, leader, replicas: [1], isr: [1] }] }] };
    },
    fetchTopicOffsets: async () => {
      calls.offsets++;
      if (typeErrors-- > 0)
        throw new TypeError("Cannot destructure property 'partitions' of 'high.pop(...)'");
      return [{ partition: 0, offset: '0', high: '0', low: '0' }];
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

describe('createTopicsAndWait', () => {
  it('waits while the new topic has partitions without a leader', async () => {
    const { admin, calls } = newTopicAdmin({ leaderlessAnswers: 2, typeErrors: 0 });
    await createTopicsAndWait(admin, { topics: [{ topic: 't' }], timeoutMs: 10_000 });
    expect(calls.metadata).toBe(3);
    expect(calls.offsets).toBe(1);
  });

  it("retries kafkajs' TypeError from fetchTopicOffsets on a topic whose leaders it does not know yet", async () => {
    const { admin, calls } = newTopicAdmin({ leaderlessAnswers: 0, typeErrors: 2 });
    await createTopicsAndWait(admin, { topics: [{ topic: 't' }], timeoutMs: 10_000 });
    expect(calls.offsets).toBe(3);
  });
});
