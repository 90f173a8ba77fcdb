import { kafkaRequests, kafkaRequestsTable } from './kafka-requests';
import { parsePromText } from './prom-text';

const series = (service: string, counts: [string, string, number][]) =>
  parsePromText(
    counts
      .map(
        ([client, api, n]) =>
          `threadcast_kafka_requests_total{client="${client}",api="${api}",service="${service}"} ${n}`,
      )
      .concat(`threadcast_other_total{service="${service}"} 99`)
      .join('\n'),
  );

describe('Kafka requests over a window', () => {
  const deltas = {
    ingest: series('ingest', [
      ['producer', 'Produce', 100],
      ['admin', 'Metadata', 2],
    ]),
    enrich: series('enrich', [
      ['consumer', 'Fetch', 150],
      ['consumer', 'OffsetCommit', 100],
      ['producer', 'Produce', 100],
      ['consumer', 'Metadata', 1],
      ['producer', 'Metadata', 1],
    ]),
  };

  it('adds up each process by API and by client, and all processes per second and per comment', () => {
    const k = kafkaRequests(deltas, ['ingest', 'enrich', 'gateway'], 10, 100);
    expect(k.processes.ingest).toEqual({
      byApi: { Produce: 100, Metadata: 2 },
      byClient: { 'producer Produce': 100, 'admin Metadata': 2 },
      total: 102,
    });
    expect(k.processes.enrich!.byApi).toEqual({ Fetch: 150, OffsetCommit: 100, Produce: 100, Metadata: 2 });
    // A process without figures (not scraped) has no row rather than zeros.
    expect(k.processes.gateway).toBeUndefined();
    expect(k.total).toBe(454);
    expect(k.perSecond).toBeCloseTo(45.4);
    expect(k.perComment).toBeCloseTo(4.54);
    expect(kafkaRequests(deltas, ['ingest'], 0, 0)).toMatchObject({ perSecond: 0, perComment: null });
  });

  it('tabulates the main APIs always, others as seen, and an all-processes row', () => {
    const t = kafkaRequestsTable(kafkaRequests(deltas, ['ingest', 'enrich'], 10, 100), 10, 100);
    expect(t.columns).toEqual([
      'process',
      'Fetch',
      'Produce',
      'OffsetCommit',
      'Heartbeat',
      'Metadata',
      'total',
      'requests/s',
      'per comment',
    ]);
    expect(t.rows).toEqual([
      ['ingest', 0, 100, 0, 0, 2, 102, 10.2, 1.02],
      ['enrich', 150, 100, 100, 0, 2, 352, 35.2, 3.52],
      ['all processes', 150, 200, 100, 0, 4, 454, 45.4, 4.54],
    ]);
  });

  it('folds the rarer APIs into one column when many were seen', () => {
    const many = {
      admin: series(
        'admin',
        ['ApiVersions', 'DescribeGroups', 'FindCoordinator', 'JoinGroup', 'SyncGroup'].map(
          (api) => ['admin', api, 1] as [string, string, number],
        ),
      ),
    };
    const t = kafkaRequestsTable(kafkaRequests(many, ['admin'], 1, 1), 1, 1);
    expect(t.columns.slice(5, 8)).toEqual([
      'ApiVersions',
      'DescribeGroups',
      'other (FindCoordinator, JoinGroup, SyncGroup)',
    ]);
    expect(t.rows[0]!.slice(5, 9)).toEqual([1, 1, 3, 5]);
  });
});
