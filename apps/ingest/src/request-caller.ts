import type { FastifyRequest } from 'fastify';
import type { Caller } from './api-keys';

// The caller is found once, in the onRequest hook; routes read it from here.
const callers = new WeakMap<FastifyRequest, Caller>();

export function setCaller(request: FastifyRequest, caller: Caller): void {
  callers.set(request, caller);
}

/** The request's caller; every route runs after the hook that sets it. */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (caller === undefined) throw new Error('no caller: the API-key hook did not run');
  return caller;
}

/** The caller's name for metrics and logs: `none` before (or without) a valid key. */
export function callerNameOf(request: FastifyRequest): string {
  return callers.get(request)?.name ?? 'none';
}
