import { CliError } from './errors';
import type { JaegerResponse, JaegerTrace } from './jaeger-types';

export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface SearchQuery {
  service: string;
  /** Span attributes every hit must have (Jaeger's `tags` parameter). */
  tags?: Record<string, string>;
  operation?: string;
  /** Window, in milliseconds since the epoch. */
  startMs: number;
  endMs: number;
  limit: number;
}

export interface JaegerClient {
  readonly url: string;
  /** The trace, or null when Jaeger does not have it (yet). */
  getTrace(traceId: string): Promise<JaegerTrace | null>;
  search(q: SearchQuery): Promise<JaegerTrace[]>;
}

const TIMEOUT_MS = 15_000;

export function createJaegerClient(url: string, fetchImpl: Fetch = fetch): JaegerClient {
  const base = url.replace(/\/+$/, '');

  async function get(path: string): Promise<{ status: number; body: JaegerResponse | null }> {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new CliError(
        `cannot reach Jaeger at ${base} (${cause}). Is it running (\`npm start\` prints its URL; tracing ` +
          'off with THREADCAST_TRACING=off)? Point --url or JAEGER_QUERY_URL at the Jaeger query service.',
        1,
        { cause: e },
      );
    }
    const text = await res.text();
    let body: JaegerResponse | null = null;
    try {
      body = JSON.parse(text) as JaegerResponse;
    } catch {
      // reported below when it matters
    }
    if (res.status !== 200 && res.status !== 404) {
      const why = body?.errors?.map((e) => e.msg).join('; ') || text.slice(0, 200);
      throw new CliError(`Jaeger at ${base} answered ${res.status} to GET ${path}: ${why}`, 1);
    }
    if (res.status === 200 && !body) {
      throw new CliError(
        `Jaeger at ${base} answered GET ${path} with something that is not JSON: ${text.slice(0, 200)}`,
        1,
      );
    }
    return { status: res.status, body };
  }

  return {
    url: base,
    async getTrace(traceId) {
      const { status, body } = await get(`/api/traces/${encodeURIComponent(traceId)}`);
      if (status === 404) return null;
      return body?.data?.find((t) => t.spans.length > 0) ?? null;
    },
    async search(q) {
      const params = new URLSearchParams({
        service: q.service,
        start: String(Math.floor(q.startMs * 1000)),
        end: String(Math.ceil(q.endMs * 1000)),
        limit: String(q.limit),
      });
      if (q.operation) params.set('operation', q.operation);
      if (q.tags) params.set('tags', JSON.stringify(q.tags));
      const { status, body } = await get(`/api/traces?${params}`);
      if (status === 404) return [];
      return (body?.data ?? []).filter((t) => t.spans.length > 0);
    },
  };
}
