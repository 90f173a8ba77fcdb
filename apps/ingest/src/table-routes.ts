import type { ThreadInfo, UserProfile } from '@threadcast/contracts';
import type { FastifyInstance } from 'fastify';
import type { Write } from './accept-write';
import { checkBody, checkPathId } from './check-request';
import { callerOf } from './request-caller';
import { PutThreadRequest, PutUserRequest } from './request-schemas';
import { threadWrite, userWrite } from './table-writes';
import { traceHeaders } from './trace-headers';
import { writeScope } from './write-ids';

type Accept = <A extends object>(write: Write<A>) => Promise<A>;
type IdParams = { Params: { id: string } };

/**
 * Profile and thread upserts into the compacted tables. A PUT is idempotent by nature (the same
 * body stores the same record), so these take no Idempotency-Key.
 */
export function registerTableRoutes(app: FastifyInstance, accept: Accept): void {
  app.put<IdParams>('/v1/users/:id', async (request, reply) => {
    const id = checkPathId('id', request.params.id);
    const body = checkBody(PutUserRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept<UserProfile>({
      scope: writeScope('PUT /v1/users/:id', [id]),
      caller: callerOf(request).name,
      idempotencyKey: undefined,
      body,
      rateKey: `u:${id}`,
      build: (_ids, at) => userWrite(id, body, at, trace),
    });
    return reply.code(202).send(answer);
  });

  app.put<IdParams>('/v1/threads/:id', async (request, reply) => {
    const id = checkPathId('id', request.params.id);
    const body = checkBody(PutThreadRequest, request.body);
    const trace = traceHeaders(request.headers);
    const answer = await accept<ThreadInfo>({
      scope: writeScope('PUT /v1/threads/:id', [id]),
      caller: callerOf(request).name,
      idempotencyKey: undefined,
      body,
      rateKey: `t:${id}`,
      build: (_ids, at) => threadWrite(id, body, at, trace),
    });
    return reply.code(202).send(answer);
  });
}
