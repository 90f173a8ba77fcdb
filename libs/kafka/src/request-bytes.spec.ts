import { recordBytes } from './request-bytes';

describe('recordBytes', () => {
  it('counts key, value and headers in UTF-8 bytes plus the most a record batch adds', () => {
    const bare = recordBytes('k', null, undefined);
    expect(recordBytes('k', 'é', undefined) - bare).toBe(2);
    expect(recordBytes('k', Buffer.alloc(10), undefined) - bare).toBe(10);
    expect(recordBytes('k', null, { ab: 'cd' }) - bare).toBe(4 + 10);
    // A 61-byte batch header and the record's varints at their longest.
    expect(bare).toBeGreaterThanOrEqual(61 + 1);
  });
});
