export { freePort } from './free-port';
export { isReady, servicePorts, waitForReady } from './service-ready';
export type { AppName, ServicePorts } from './service-ready';
export { sleep, waitUntil } from './wait-until';
