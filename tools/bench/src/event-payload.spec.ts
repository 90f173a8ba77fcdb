import { centrifugoEnvelopeBytes, CURSOR_ALLOWANCE, eventValue } from './event-payload';
import { readMarker } from './marker';

describe('fan-out event payload', () => {
  const base = {
    channel: 'thread:ba1b2c3-17',
    thread: 'ba1b2c3-17',
    seq: 12345,
    tMicros: 1234567890123,
    eventId: '17-12345',
    createdAt: '2026-11-27T15:00:00.000Z',
  };

  it('is a deliveries frame of the asked size (realistic ids and stamps), marker included', () => {
    const value = eventValue({ ...base, frameBytes: 300 });
    expect(Buffer.byteLength(value) + CURSOR_ALLOWANCE).toBe(300);
    const frame = JSON.parse(value);
    expect(frame).toMatchObject({
      op: 'event',
      channel: base.channel,
      event: { type: 'comment.created', threadId: base.thread },
    });
    expect(readMarker(Buffer.from(value))).toEqual({ seq: 12345, t: 1234567890123 });
  });

  it('does not shrink below the bare frame', () => {
    const bare = eventValue({ ...base, frameBytes: 1 });
    expect(JSON.parse(bare).event.html).toBe('tcb:12345:1234567890123: ');
  });

  it('for Centrifugo: the frame its clients receive (the value in its push envelope) is the asked size', () => {
    const value = eventValue({ ...base, frameBytes: 300, format: 'centrifugo' });
    // The same event as in our deliveries record, but for the padding in its html.
    const { html, ...rest } = JSON.parse(value);
    const { html: ourHtml, ...ourRest } = JSON.parse(eventValue({ ...base, frameBytes: 300 })).event;
    expect(rest).toEqual(ourRest);
    expect(html.slice(0, 25)).toBe(ourHtml.slice(0, 25));
    expect(Buffer.byteLength(value) + centrifugoEnvelopeBytes(base.channel)).toBe(300);
    // Centrifugo's JSON protocol, publication data embedded as it is, no offset without history.
    const frame = `{"push":{"channel":"${base.channel}","pub":{"data":${value}}}}`;
    expect(Buffer.byteLength(frame)).toBe(300);
    expect(JSON.parse(frame).push.pub.data).toEqual(JSON.parse(value));
    expect(readMarker(Buffer.from(frame))).toEqual({ seq: 12345, t: 1234567890123 });
  });
});
