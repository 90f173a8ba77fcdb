import { HttpError } from './http-error';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** Refuses application/json in any charset but UTF-8 (RFC 8259 allows no other). */
export function checkJsonCharset(contentType: string | undefined): void {
  const charset = contentType === undefined ? undefined : CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'unsupported_media_type', 'send application/json in UTF-8 (charset=utf-8)');
  }
}

/**
 * The bytes of an application/json body -> a parsed value. An empty body is `undefined`, which the
 * routes that allow no body (DELETE) accept and the others reject as a missing field.
 */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'invalid_json', `the body is not JSON: ${(e as Error).message}`);
  }
}
