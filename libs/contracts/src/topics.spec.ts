import { TOPICS, topicSpecs } from './topics';

describe('topicSpecs: replication', () => {
  it('asks for 2 in-sync replicas of every topic once there are 3 replicas', () => {
    const specs = topicSpecs({ partitions: 3, replicationFactor: 3 });
    expect(specs.map((s) => s.name)).toContain(TOPICS.comments);
    for (const s of specs) {
      expect(s.replicationFactor).toBe(3);
      expect(s.config['min.insync.replicas']).toBe('2');
    }
  });

  it('keeps 1 in-sync replica below 3 replicas, so one broker down does not stop writes', () => {
    for (const replicationFactor of [1, 2]) {
      const specs = topicSpecs({ partitions: 3, replicationFactor });
      expect(new Set(specs.map((s) => s.config['min.insync.replicas']))).toEqual(new Set(['1']));
    }
  });

  it('takes a configured min.insync.replicas, and refuses one above the replication factor', () => {
    const specs = topicSpecs({ partitions: 3, replicationFactor: 5, minInsyncReplicas: 3 });
    expect(new Set(specs.map((s) => s.config['min.insync.replicas']))).toEqual(new Set(['3']));
    expect(() => topicSpecs({ partitions: 3, replicationFactor: 2, minInsyncReplicas: 3 })).toThrow(
      /min.insync.replicas must be from 1 to the replication factor \(2\), not 3/,
    );
  });
});
