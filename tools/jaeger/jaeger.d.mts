// Types for jaeger.mjs, for the TypeScript that uses it (tests, tools/trace scripts).
import type { ChildProcess } from 'node:child_process';

export interface JaegerPorts {
  ui: number;
  queryGrpc: number;
  otlpHttp: number;
  otlpGrpc: number;
}

export interface JaegerHandle {
  /** Base URL of the query service (UI and HTTP API), on 127.0.0.1. */
  queryUrl: string;
  /** The same for a browser: http://localhost:<ui port>. */
  uiUrl: string;
  /** OTLP/HTTP base URL: what OTEL_EXPORTER_OTLP_ENDPOINT takes (the SDK appends /v1/traces). */
  otlpHttpEndpoint: string;
  otlpGrpcEndpoint: string;
  ports: JaegerPorts;
  pid: number;
  dataDir: string;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartJaegerOptions {
  dataDir?: string;
  ports?: Partial<JaegerPorts>;
  preferDefaultPorts?: boolean;
  log?: (msg: string) => void;
  signal?: AbortSignal;
  stdio?: 'inherit' | 'file';
  lowPriorityBuild?: boolean;
}

export const JAEGER_VERSION: string;
export const JAEGER_MODULE: string;
export const DEFAULT_PORTS: Readonly<JaegerPorts>;
export function jaegerBinary(): string;
export function jaegerBuilt(): boolean;
export function tracingDisabled(env?: Record<string, string | undefined>): boolean;
export function ensureJaeger(opts?: {
  log?: (msg: string) => void;
  signal?: AbortSignal;
  lowPriority?: boolean;
}): Promise<string>;
export function portIsFree(port: number): Promise<boolean>;
export function choosePorts(
  given?: Partial<JaegerPorts>,
  opts?: { preferDefaults?: boolean },
): Promise<JaegerPorts>;
export function jaegerConfig(ports: JaegerPorts, opts?: { maxTraces?: number }): string;
export function waitForJaeger(
  endpoints: { queryUrl: string; otlpHttpEndpoint: string },
  opts?: { timeoutMs?: number; child?: ChildProcess },
): Promise<void>;
export function startJaeger(opts?: StartJaegerOptions): Promise<JaegerHandle>;
export function jaegerEnv(handle: JaegerHandle): {
  JAEGER_QUERY_URL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
};
export function startJaegerUnlessConfigured(opts?: {
  dataDir?: string;
  log?: (msg: string) => void;
  signal?: AbortSignal;
}): Promise<JaegerHandle | null>;
