export { freePort } from './free-port';
export { isReady, servicePorts, waitForReady } from './service-ready';
export type { AppName, ServicePorts } from './service-ready';
export { testKafka, uid } from './test-kafka';
export { sleep, waitUntil } from './wait-until';
