import type { Kafka } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';

const counters = new WeakMap<Registry, Counter<'client' | 'api'>>();

function requestCounter(registry: Registry): Counter<'client' | 'api'> {
  let c = counters.get(registry);
  if (!c) {
    c = new Counter({
      name: 'threadcast_kafka_requests_total',
      help: 'Kafka requests this process sent, by client kind (consumer, producer, admin) and API (Fetch, Produce, OffsetCommit, Heartbeat, ...).',
      labelNames: ['client', 'api'],
      registers: [registry],
    });
    counters.set(registry, c);
  }
  return c;
}

type RequestListener = (e: { payload: { apiName: string } }) => void;

/**
 * Makes every client `kafka` creates from now on count the requests it sends, from kafkajs' own
 * instrumentation events. On this machine a request costs the broker about a millisecond of CPU,
 * so requests per second, not records, are what a stage's design is judged by. One listener call
 * per request, never per record.
 */
export function countKafkaRequests(kafka: Kafka, registry: Registry): void {
  const counter = requestCounter(registry);
  const listener = (kind: string): RequestListener => {
    // Label children cached per API: per request, one Map lookup and an add.
    const children = new Map<string, { inc(): void }>();
    return (e) => {
      const api = e.payload.apiName;
      let child = children.get(api);
      if (!child) children.set(api, (child = counter.labels(kind, api)));
      child.inc();
    };
  };
  const consumer = kafka.consumer.bind(kafka);
  const producer = kafka.producer.bind(kafka);
  const admin = kafka.admin.bind(kafka);
  kafka.consumer = (cfg) => {
    const c = consumer(cfg);
    c.on(c.events.REQUEST, listener('consumer'));
    return c;
  };
  kafka.producer = (cfg) => {
    const p = producer(cfg);
    p.on(p.events.REQUEST, listener('producer'));
    return p;
  };
  kafka.admin = (cfg) => {
    const a = admin(cfg);
    a.on(a.events.REQUEST, listener('admin'));
    return a;
  };
}
