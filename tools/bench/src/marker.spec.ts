import { markerText, readMarker } from './marker';

describe('event marker', () => {
  it('round-trips through a frame without JSON parsing', () => {
    const frame = Buffer.from(
      JSON.stringify({
        op: 'event',
        event: { html: `<p>${markerText(42, 123456789.6)} lorem</p>` },
        cursor: '3-9',
      }),
    );
    expect(readMarker(frame)).toEqual({ seq: 42, t: 123456790 });
  });

  it('is absent from control frames and from malformed text', () => {
    expect(
      readMarker(Buffer.from('{"op":"subscribed","channel":"thread:x","cursor":"1-2"}')),
    ).toBeUndefined();
    expect(readMarker(Buffer.from('tcb::12:'))).toBeUndefined();
    expect(readMarker(Buffer.from('tcb:12:'))).toBeUndefined();
    expect(readMarker(Buffer.from('tcb:12:34'))).toBeUndefined();
  });
});
