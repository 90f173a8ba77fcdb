// The persistent developer broker (`npm start`, `npm run kafka start`): data survives between
// runs, so it keeps the ports it was created with (kafka.mjs stores them in the data folder and
// wipes the data if asked for another port). We only choose a port when creating the folder:
// Kafka's usual 9092 when free, else any free one.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, startKafka, startKafkaCluster } from '../../kafka/kafka.mjs';

function isFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** Ports recorded by a previous start in `dataDir`, or null. */
export function savedPorts(dataDir) {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'ports.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Starts (or restarts) the broker kept in `dataDir`. `port` forces a port; if it differs from
 * the saved one, kafka.mjs starts over with empty data, so we say so.
 */
export async function startDevKafka({ dataDir, port, log = () => {} }) {
  const saved = savedPorts(dataDir);
  if (port && saved && saved.port !== port) {
    log(
      `port ${port} differs from the one ${dataDir} was created with (${saved.port}): its data is discarded`,
    );
  }
  if (!port && saved) {
    // Fail with a hint rather than with a JVM bind error 5 s later.
    for (const p of [saved.port, saved.controllerPort]) {
      if (!(await isFree(p))) {
        throw new Error(
          `port ${p} (kept in ${join(dataDir, 'ports.json')}) is in use. Is another broker on this data ` +
            `folder running (npm start, npm run kafka start)? Stop it, reuse it with ` +
            `KAFKA_BROKERS=127.0.0.1:${saved.port}, or delete ${dataDir} to start over.`,
        );
      }
    }
  }
  if (!port && !saved) port = (await isFree(9092)) ? 9092 : await freePort();
  return startKafka({ dataDir, port, fresh: false });
}

/**
 * Starts (or restarts) the cluster of `brokers` nodes kept in `dataDir` (ports chosen when the
 * folder is created, kept in its cluster.json). Fails with a hint when a node's port is in use.
 */
export async function startDevKafkaCluster({ dataDir, brokers, log = () => {} }) {
  let layout = null;
  try {
    layout = JSON.parse(readFileSync(join(dataDir, 'cluster.json'), 'utf8'));
  } catch {
    // a new cluster
  }
  for (const n of layout?.nodes ?? []) {
    for (const p of [n.port, n.controllerPort]) {
      if (!(await isFree(p))) {
        throw new Error(
          `port ${p} (kept in ${join(dataDir, 'cluster.json')}) is in use. Is this cluster already ` +
            `running? Stop it, or delete ${dataDir} to start over.`,
        );
      }
    }
  }
  log(`starting a cluster of ${brokers} Kafka brokers (data in ${dataDir})`);
  return startKafkaCluster({ dataDir, brokers, fresh: false });
}
