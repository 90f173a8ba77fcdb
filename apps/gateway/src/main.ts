import { telemetry } from './instrument'; // first: see instrument.ts
import { TOPICS } from '@threadcast/contracts';
import { createKafka, watchKafka } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { gatewayConfig } from './config';
import { openDeliveryFeed } from './delivery-feed';
import { gatewayMetrics } from './gateway-metrics';
import { WS_PATH, createGatewayServer, type GatewayServer } from './gateway-server';
import { createTokenVerifier } from './token-verifier';

void runService({
  name: 'gateway',
  config: gatewayConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    // Registered first, so it runs last: spans of the final batches get exported.
    onShutdown('telemetry', () => telemetry.shutdown());
    const verifyToken = createTokenVerifier(config);
    const kafka = createKafka(config, logger, 'threadcast-gateway');
    const health = await watchKafka({ kafka, topics: [TOPICS.deliveries], logger });
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
    // Steps run in reverse: sockets drain first, then the reader leaves and deletes its group.
    onShutdown('deliveries-reader', () => feed.close());
    const gateway = createGatewayServer({
      maxFrameBytes: config.GATEWAY_MAX_FRAME_BYTES,
      maxSubscriptions: config.GATEWAY_MAX_SUBSCRIPTIONS,
      pingIntervalMs: config.GATEWAY_PING_INTERVAL_MS,
      maxBufferedBytes: config.GATEWAY_MAX_BUFFERED_BYTES,
      maxMessagesPerSecond: config.GATEWAY_MAX_MESSAGES_PER_SECOND,
      messageBurst: config.GATEWAY_MESSAGE_BURST,
      maxReplayRecords: config.GATEWAY_MAX_REPLAY_RECORDS,
      feed,
      metrics,
      logger,
      verifyToken,
      allowedOrigins: config.GATEWAY_ALLOWED_ORIGINS,
    });
    deliver = gateway.deliver;
    const port = await gateway.listen(config.GATEWAY_PORT);
    onShutdown('gateway', () => gateway.close(config.GATEWAY_DRAIN_MS));
    logger.info(
      { port, path: WS_PATH, groupId: feed.groupId, auth: verifyToken ? 'jwt' : 'anonymous only' },
      'gateway listening',
    );
  },
});
