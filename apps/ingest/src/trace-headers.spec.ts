import { traceHeaders } from './trace-headers';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceHeaders', () => {
  it('carries a valid traceparent, and tracestate with it', () => {
    expect(traceHeaders({ traceparent: TP, tracestate: 'vendor=1' })).toEqual({
      traceparent: TP,
      tracestate: 'vendor=1',
    });
    expect(traceHeaders({ traceparent: TP.toUpperCase() })).toEqual({ traceparent: TP });
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'nope'],
    ['all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['all-zero span id', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['version ff', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
  ])('drops a %s traceparent', (_what, traceparent) => {
    expect(traceHeaders({ traceparent, tracestate: 'vendor=1' })).toEqual({});
  });
});
