import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS } from '@threadcast/contracts';
import { createKafka, createPartitionReader, uniqueGroupId, watchKafka } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { gatewayConfig } from './config';
import { openDeliveryFeed } from './delivery-feed';
import { gatewayMetrics } from './gateway-metrics';
import { WS_PATH, createGatewayServer, type GatewayServer } from './gateway-server';
import { openPresenceFeed } from './presence-feed';
import { mintDevToken } from './dev-tokens';
import { createTokenVerifier } from './token-verifier';

/** Bytes per partition per fetch of the replay reader: about a hundred typical events. */
const REPLAY_FETCH_BYTES = 64 * 1024;

void runService({
  name: 'gateway',
  config: gatewayConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const verifyToken = createTokenVerifier(config);
    if (config.GATEWAY_DEV_AUTH) {
      logger.warn(
        'GATEWAY_DEV_AUTH: tokens are checked with the development secret published in the source, and GET /demo-token mints them; anyone can be anyone. Local development only.',
      );
    }
    const kafka = createKafka(config, logger, 'threadcast-gateway', registry);
    const health = await watchKafka({ kafka, topics: [TOPICS.deliveries, TOPICS.presence], logger });
    onShutdown('kafka-health', () => health.stop());
    readiness.add('kafka', health.isHealthy);

    const metrics = gatewayMetrics(registry);
    // The reader hands records to the server, and the server tells the reader what to read.
    let deliver: GatewayServer['deliver'] = () => {};
    const feed = await openDeliveryFeed({
      kafka,
      instanceId,
      logger,
      metrics,
      onRecord: (record) => deliver(record),
    });
    // Steps run in reverse: sockets drain first, then the readers leave and delete their groups.
    onShutdown('deliveries-reader', () => feed.close());
    // Replays (resumes from a cursor behind the live reader) have a reader of their own, so
    // live delivery never waits for them (catch-up.ts).
    let replayed: GatewayServer['replayed'] = () => {};
    const replayReader = await createPartitionReader({
      kafka,
      topic: TOPICS.deliveries,
      groupId: uniqueGroupId('threadcast-gateway-replay', instanceId),
      logger,
      // Small fetches: each batch is delivered in one run of the event loop that live delivery
      // shares, so a replay costs live readers one short run at a time, not a megabyte's worth.
      maxBytesPerPartition: REPLAY_FETCH_BYTES,
      onRecord: (record) => replayed(record),
    });
    onShutdown('replay-reader', () => replayReader.close());
    // Presence asks the server (created next) for counts and sends through it.
    const server: { current?: GatewayServer } = {};
    const presence = await openPresenceFeed({
      kafka,
      instanceId,
      logger,
      intervalMs: config.GATEWAY_PRESENCE_INTERVAL_MS,
      refreshMs: config.GATEWAY_PRESENCE_REFRESH_MS,
      // Three refreshes without a word from a pod: it is gone (a live one refreshes every count).
      expiryMs: 3 * Math.max(config.GATEWAY_PRESENCE_REFRESH_MS, config.GATEWAY_PRESENCE_INTERVAL_MS),
      minGapMs: config.GATEWAY_PRESENCE_MIN_GAP_MS,
      maxChannels: config.GATEWAY_PRESENCE_MAX_CHANNELS,
      onUnpublished: (channels) => metrics.presenceUnpublished.set(channels),
      localCount: (channel) => server.current?.readerCount(channel) ?? 0,
      broadcast: (channel, frame) => server.current?.broadcast(channel, frame),
    });
    onShutdown('presence', () => presence.close());
    let presenceFlush: NodeJS.Immediate | undefined;
    let presenceLater: NodeJS.Timeout | undefined;
    const flushPresence = () => {
      presenceFlush = undefined;
      // Channels whose last frame is too recent are held; flush again when the first is due.
      const wait = presence.tracker.flush();
      if (wait !== undefined && !presenceLater) {
        presenceLater = setTimeout(() => {
          presenceLater = undefined;
          flushPresence();
        }, wait).unref();
      }
    };
    const gateway = createGatewayServer({
      maxFrameBytes: config.GATEWAY_MAX_FRAME_BYTES,
      maxSubscriptions: config.GATEWAY_MAX_SUBSCRIPTIONS,
      pingIntervalMs: config.GATEWAY_PING_INTERVAL_MS,
      maxBufferedBytes: config.GATEWAY_MAX_BUFFERED_BYTES,
      writeDelayMs: config.GATEWAY_WRITE_DELAY_MS,
      maxMessagesPerSecond: config.GATEWAY_MAX_MESSAGES_PER_SECOND,
      messageBurst: config.GATEWAY_MESSAGE_BURST,
      maxReplayRecords: config.GATEWAY_MAX_REPLAY_RECORDS,
      replayBudgetRecords: config.GATEWAY_REPLAY_BUDGET_RECORDS,
      maxReplays: config.GATEWAY_MAX_REPLAYS,
      maxSockets: config.GATEWAY_MAX_SOCKETS,
      maxSocketsPerAddress: config.GATEWAY_MAX_SOCKETS_PER_ADDRESS,
      clientAddressHeader: config.GATEWAY_CLIENT_ADDRESS_HEADER?.toLowerCase(),
      // Presence follows the partitions this pod reads in deliveries.
      feed: {
        ...feed,
        partitionCount: feed.partitionCount,
        readFrom(partition, offset) {
          feed.readFrom(partition, offset);
          presence.follow(partition);
        },
        stop(partition) {
          feed.stop(partition);
          presence.unfollow(partition);
        },
      },
      replayReader,
      metrics,
      logger,
      verifyToken,
      demoTokens: config.GATEWAY_DEV_AUTH
        ? (query) => mintDevToken(query, config.GATEWAY_JWT_MOD_CLAIM)
        : undefined,
      allowedOrigins: config.GATEWAY_ALLOWED_ORIGINS,
      presenceTotal: (channel) => presence.tracker.total(channel),
      onReadersChanged(channel) {
        presence.tracker.localChanged(channel);
        // Joins and leaves of one event-loop turn make one presence frame.
        presenceFlush ??= setImmediate(flushPresence);
      },
    });
    server.current = gateway;
    deliver = gateway.deliver;
    replayed = gateway.replayed;
    const port = await gateway.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
    onShutdown('gateway', () => gateway.close(config.GATEWAY_DRAIN_MS));
    logger.info(
      {
        host: config.GATEWAY_HOST,
        port,
        path: WS_PATH,
        groupId: feed.groupId,
        auth: verifyToken ? 'jwt' : 'anonymous only',
      },
      'gateway listening',
    );
  },
});
