/**
 * Resume cursors: `<partition>-<offset>` of `deliveries`, where offset is the next record the
 * holder has not seen (Kafka's committed-offset convention). An event's cursor is its own offset
 * plus one, so resuming from it starts right after that event. Clients treat cursors as opaque;
 * only gateways read them, and the format may change with the protocol version. Only digits and
 * `-`, so a cursor needs no JSON escaping.
 */
export interface Cursor {
  partition: number;
  /** The first offset a subscription resumed from this cursor receives. */
  offset: number;
}

export function cursorOf(partition: number, offset: number): string {
  return `${partition}-${offset}`;
}

const CURSOR = /^(\d{1,5})-(\d{1,15})$/;

/** The cursor, or undefined when the text is not one (the caller answers `bad_request`). */
export function parseCursor(text: string): Cursor | undefined {
  const m = CURSOR.exec(text);
  if (!m) return undefined;
  return { partition: Number(m[1]), offset: Number(m[2]) };
}
