/**
 * The naive baseline of the fan-out scenario: a plain `ws` server (its defaults) that reads
 * `deliveries` with the same partition reader as the gateway, parses each record once and then,
 * per subscribed socket, `JSON.stringify`s the frame with its cursor and `send`s the string.
 * Same protocol (subscribe -> subscribed, event frames with cursors), same input path, so the
 * gateway's ratio to it is about the fan-out alone. It has none of the gateway's limits, auth,
 * resume or metrics, which only flatters it.
 */
import type { AddressInfo } from 'node:net';
import { channelKey, HEADERS, TOPICS } from '@threadcast/contracts';
import { createPartitionReader, partitionForKey, uniqueGroupId, type InRecord } from '@threadcast/kafka';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveCommands } from '../ipc';
import { benchKafka } from '../kafka-client';

const OPEN = 1;
const byChannel = new Map<string, Set<WebSocket>>();

function deliver(record: InRecord): void {
  const channel = record.headers[HEADERS.channel];
  if (channel === undefined || record.value === null) return;
  const subs = byChannel.get(channel);
  if (!subs) return;
  const frame = JSON.parse(record.value.toString('utf8')) as Record<string, unknown>;
  frame.cursor = `${record.partition}-${Number(record.offset) + 1}`;
  for (const ws of subs) if (ws.readyState === OPEN) ws.send(JSON.stringify(frame));
}

async function start(args: { brokers: string; port: number }): Promise<{ port: number }> {
  const { kafka, logger } = benchKafka(args.brokers, 'threadcast-bench-naive');
  const reader = await createPartitionReader({
    kafka,
    topic: TOPICS.deliveries,
    groupId: uniqueGroupId('threadcast-bench-naive', String(process.pid)),
    logger,
    onRecord: deliver,
  });
  const wss = new WebSocketServer({ port: args.port, path: '/ws' });
  wss.on('connection', (ws) => {
    const mine = new Set<string>();
    ws.on('message', async (data) => {
      let msg: { op?: string; channel?: string };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return ws.send(JSON.stringify({ op: 'error', code: 'bad_request', message: 'not JSON' }));
      }
      if (msg.op !== 'subscribe' || typeof msg.channel !== 'string') {
        return ws.send(JSON.stringify({ op: 'error', code: 'bad_request', message: 'subscribe only' }));
      }
      const channel = msg.channel;
      const partition = partitionForKey(channelKey(channel), reader.partitionCount);
      let start = reader.position(partition);
      if (start === undefined) {
        start = (await reader.bounds(0))[partition]!.high;
        reader.readFrom(partition, start);
      }
      let subs = byChannel.get(channel);
      if (!subs) byChannel.set(channel, (subs = new Set()));
      subs.add(ws);
      mine.add(channel);
      ws.send(JSON.stringify({ op: 'subscribed', channel, cursor: `${partition}-${start}` }));
    });
    ws.on('close', () => {
      for (const channel of mine) byChannel.get(channel)?.delete(ws);
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return { port: (wss.address() as AddressInfo).port };
}

serveCommands({
  start: (args: { brokers: string; port: number }) => start(args),
});
