import { HttpError } from './http-error';
import { checkJsonCharset, parseJsonBody } from './json-body';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof HttpError ? `${e.status} ${e.code}` : String(e);
  }
  return undefined;
}

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON and treats an empty body as none', () => {
    expect(parseJsonBody(Buffer.from('{"a":"é"}'))).toEqual({ a: 'é' });
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined();
  });

  it('refuses invalid UTF-8 and invalid JSON with their own codes', () => {
    expect(codeOf(() => parseJsonBody(Buffer.from([0x22, 0xff, 0x22])))).toBe('400 invalid_utf8');
    expect(codeOf(() => parseJsonBody(Buffer.from('{"a":')))).toBe('400 invalid_json');
  });
});

describe('checkJsonCharset', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF8"'])(
    'accepts %s',
    (ct) => {
      expect(codeOf(() => checkJsonCharset(ct))).toBeUndefined();
    },
  );

  it.each(['application/json; charset=latin1', 'application/json; charset=utf-16'])(
    'refuses %s with 415',
    (ct) => {
      expect(codeOf(() => checkJsonCharset(ct))).toBe('415 unsupported_media_type');
    },
  );
});
