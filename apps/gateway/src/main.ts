import { TOPICS } from '@threadcast/contracts';
import { createKafka, watchKafka } from '@threadcast/kafka';
import { runService } from '@threadcast/runtime';
import { gatewayConfig } from './config';
import { deliveriesPartitionCount, readAllDeliveries } from './delivery-source';
import { gatewayMetrics } from './gateway-metrics';
import { WS_PATH, createGatewayServer } from './gateway-server';

void runService({
  name: 'gateway',
  config: gatewayConfig,
  async start({ config, logger, registry, readiness, instanceId, onShutdown }) {
    const kafka = createKafka(config, logger, 'threadcast-gateway');
    const health = await watchKafka({ kafka, topics: [TOPICS.deliveries], logger });
    onShutdown('kafka-health', () => health.stop());
    readiness.add('kafka', health.isHealthy);
    let reading = false;
    readiness.add('deliveries-reader', () => reading);

    const gateway = createGatewayServer({
      maxFrameBytes: config.GATEWAY_MAX_FRAME_BYTES,
      maxSubscriptions: config.GATEWAY_MAX_SUBSCRIPTIONS,
      pingIntervalMs: config.GATEWAY_PING_INTERVAL_MS,
      maxBufferedBytes: config.GATEWAY_MAX_BUFFERED_BYTES,
      partitionCount: await deliveriesPartitionCount(kafka),
      metrics: gatewayMetrics(registry),
      logger,
    });
    const source = await readAllDeliveries({
      kafka,
      instanceId,
      logger,
      onRecord: gateway.deliver,
    });
    reading = true;
    // Steps run in reverse: sockets drain first, then the reader stops.
    onShutdown('deliveries-reader', () => source.stop());
    const port = await gateway.listen(config.GATEWAY_PORT);
    onShutdown('gateway', () => gateway.close(config.GATEWAY_DRAIN_MS));
    logger.info({ port, path: WS_PATH, groupId: source.groupId }, 'gateway listening');
  },
});
