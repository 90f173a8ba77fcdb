import { CHANNELS_HEADER, centrifugoConfig, centrifugoSettings, NAMESPACE } from './config';

describe('centrifugo config', () => {
  const setup = {
    port: 41234,
    brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
    topic: 'bench.centrifugo.r1',
    consumerGroup: 'threadcast-bench-centrifugo-r1',
    hmacSecret: 's3cret',
  };
  const config = centrifugoConfig(setup) as {
    http_server: { address: string; port: number };
    client: { token: { hmac_secret_key: string }; insecure?: boolean };
    channel: { namespaces: { name: string; allow_subscribe_for_client: boolean }[] };
    consumers: {
      name: string;
      enabled: boolean;
      type: string;
      kafka: {
        brokers: string[];
        topics: string[];
        consumer_group: string;
        publication_data_mode: { enabled: boolean; channels_header: string };
      };
    }[];
  };

  it('listens on loopback only, with JWT (HMAC) auth, not insecure mode', () => {
    expect(config.http_server).toEqual({ address: '127.0.0.1', port: 41234 });
    expect(config.client.token.hmac_secret_key).toBe('s3cret');
    expect(config.client.insecure).toBeUndefined();
  });

  it('lets clients subscribe to thread:<id> channels', () => {
    expect(NAMESPACE).toBe('thread');
    expect(config.channel.namespaces).toEqual([{ name: 'thread', allow_subscribe_for_client: true }]);
  });

  it("reads the run's topic with the Kafka consumer in publication data mode", () => {
    expect(config.consumers).toEqual([
      {
        name: 'bench',
        enabled: true,
        type: 'kafka',
        kafka: {
          brokers: setup.brokers,
          topics: ['bench.centrifugo.r1'],
          consumer_group: 'threadcast-bench-centrifugo-r1',
          publication_data_mode: { enabled: true, channels_header: 'centrifugo-channels' },
        },
      },
    ]);
    expect(CHANNELS_HEADER).toBe('centrifugo-channels');
  });

  it('states the settings used, write_delay among them', () => {
    const settings = new Map(centrifugoSettings('6.9.1', setup));
    expect(settings.get('version')).toMatch(/^v6\.9\.1/);
    expect(settings.get('write_delay')).toMatch(/^0 /);
    expect(settings.get('max_messages_in_frame')).toMatch(/^16 /);
    expect(settings.get('input')).toContain('bench.centrifugo.r1');
    expect(settings.get('gateway, same run')).toContain('GATEWAY_DRAIN_MS 2000');
  });
});
