// The JSON of Jaeger's query HTTP API (the one its UI uses: /api/traces, /api/traces/<id>).
// Times and durations are microseconds.

export interface JaegerKeyValue {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  value: string | number | boolean;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[] | null;
  startTime: number;
  duration: number;
  tags: JaegerKeyValue[] | null;
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

export interface JaegerResponse {
  data: JaegerTrace[] | null;
  errors: { code: number; msg: string }[] | null;
}
