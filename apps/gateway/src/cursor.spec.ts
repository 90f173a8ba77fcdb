import { cursorOf, parseCursor } from './cursor';

describe('cursors', () => {
  it('round-trips partition and offset', () => {
    expect(parseCursor(cursorOf(7, 123_456_789))).toEqual({ partition: 7, offset: 123_456_789 });
    expect(parseCursor(cursorOf(0, 0))).toEqual({ partition: 0, offset: 0 });
  });

  it.each([
    '',
    '3',
    '3-',
    '-3',
    '3--1',
    'a-1',
    '3-1-2',
    ' 3-1',
    '3-1 ',
    '3-1.5',
    '123456-1',
    '1-1234567890123456',
  ])('rejects %j', (text) => {
    expect(parseCursor(text)).toBeUndefined();
  });
});
