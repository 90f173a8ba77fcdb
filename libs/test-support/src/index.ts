export { freePort } from './free-port';
export { sleep, waitUntil } from './wait-until';
