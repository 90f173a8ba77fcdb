import { parseDuration } from './duration';
import { CliError } from './errors';
import { classify } from './lookup';
import { rankSlowest } from './slowest';
import type { TraceView } from './trace-view';

describe('classify', () => {
  it('takes 32 hex digits as a trace id (lower-cased)', () => {
    expect(classify('4BF92F3577B34DA6A3CE929D0E0E4736')).toEqual({
      kind: 'trace',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('takes the trace id out of a traceparent', () => {
    expect(classify('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      kind: 'trace',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('takes anything else id-shaped as a comment id', () => {
    expect(classify('clVy2P7lZMVFiMokdJT1_DA')).toEqual({
      kind: 'comment',
      commentId: 'clVy2P7lZMVFiMokdJT1_DA',
    });
    // 31 hex digits: not a trace id.
    expect(classify('4bf92f3577b34da6a3ce929d0e0e473').kind).toBe('comment');
  });

  it('refuses what cannot be an id', () => {
    expect(() => classify('a b')).toThrow(CliError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['15', '0m', '-5m', 'm', '1w'])('refuses %s', (text) =>
    expect(() => parseDuration(text)).toThrow(CliError),
  );
});

describe('rankSlowest', () => {
  const view = (traceId: string, total: number | null, startUs = 0) =>
    ({ traceId, acceptToSocketMs: total, startUs, commentId: `c-${traceId}`, threadId: 't' }) as TraceView;

  it('keeps the n slowest delivered traces once each', () => {
    const rows = rankSlowest([view('a', 5), view('b', null), view('c', 50), view('a', 5), view('d', 20)], 2);
    expect(rows.map((r) => [r.traceId, r.totalMs])).toEqual([
      ['c', 50],
      ['d', 20],
    ]);
  });
});
