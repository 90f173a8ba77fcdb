import { parsePromText, sampleDeltas } from './prom-text';

const text = `# HELP threadcast_kafka_requests_total Kafka requests this process sent.
# TYPE threadcast_kafka_requests_total counter
threadcast_kafka_requests_total{client="consumer",api="Fetch",service="route"} 120
threadcast_kafka_requests_total{client="producer",api="Produce",service="route"} 7
# TYPE threadcast_hop_latency_seconds histogram
threadcast_hop_latency_seconds_bucket{le="0.005",hop="ingest",service="gateway"} 3
threadcast_hop_latency_seconds_bucket{le="+Inf",hop="ingest",service="gateway"} 4
threadcast_hop_latency_seconds_sum{hop="ingest",service="gateway"} 0.0125
process_cpu_seconds_total 1.5e+1 1764912345678
odd{v="a \\"quoted\\", comma\\\\ and\\nnewline"} NaN
`;

describe('prom text', () => {
  it('reads names, labels (escapes included), values and ignores comments and timestamps', () => {
    const s = parsePromText(text);
    expect(s).toHaveLength(7);
    expect(s[0]).toEqual({
      name: 'threadcast_kafka_requests_total',
      labels: { client: 'consumer', api: 'Fetch', service: 'route' },
      value: 120,
    });
    expect(s[3]).toEqual({
      name: 'threadcast_hop_latency_seconds_bucket',
      labels: { le: '+Inf', hop: 'ingest', service: 'gateway' },
      value: 4,
    });
    expect(s[5]).toEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 15 });
    expect(s[6]!.labels.v).toBe('a "quoted", comma\\ and\nnewline');
    expect(s[6]!.value).toBeNaN();
  });

  it('takes the increase of each series between two scrapes; a new series counts from zero', () => {
    const before = parsePromText(
      'c{api="Fetch",client="consumer"} 100\nc{client="producer",api="Produce"} 5\n',
    );
    const after = parsePromText(
      'c{client="consumer",api="Fetch"} 130\nc{client="producer",api="Produce"} 5\nc{client="admin",api="Metadata"} 2\n',
    );
    expect(sampleDeltas(before, after).map((d) => [d.labels.api, d.value])).toEqual([
      ['Fetch', 30],
      ['Produce', 0],
      ['Metadata', 2],
    ]);
  });
});
