import { subscriptionStart } from './subscription-start';

describe('subscriptionStart', () => {
  const bounds = { low: 100, high: 500 };
  const base = { partition: 3, maxReplay: 1000, bounds };

  it('starts from now without a cursor: the read mark, or the log end when not read yet', () => {
    expect(subscriptionStart({ ...base, cursor: undefined, live: 450 })).toEqual({
      start: 450,
      reset: false,
    });
    expect(subscriptionStart({ ...base, cursor: undefined, live: 450, bounds: undefined })).toEqual({
      start: 450,
      reset: false,
    });
    expect(subscriptionStart({ ...base, cursor: undefined, live: undefined })).toEqual({
      start: 500,
      reset: false,
    });
  });

  it('resumes from a cursor the log still holds', () => {
    for (const offset of [100, 101, 499, 500]) {
      expect(subscriptionStart({ ...base, cursor: { partition: 3, offset }, live: undefined })).toEqual({
        start: offset,
        reset: false,
      });
    }
    // The pod read past the cached bounds: a cursor up to its mark is fine.
    expect(subscriptionStart({ ...base, cursor: { partition: 3, offset: 520 }, live: 530 })).toEqual({
      start: 520,
      reset: false,
    });
  });

  it('resets a cursor older than retention, beyond the log, of another partition, or too far back', () => {
    const reset = (cursor: { partition: number; offset: number }, extra: object = {}) =>
      subscriptionStart({ ...base, cursor, live: undefined, ...extra });
    expect(reset({ partition: 3, offset: 99 })).toEqual({ start: 500, reset: true });
    expect(reset({ partition: 3, offset: 501 })).toEqual({ start: 500, reset: true });
    expect(reset({ partition: 4, offset: 200 })).toEqual({ start: 500, reset: true });
    expect(reset({ partition: 3, offset: 200 }, { maxReplay: 299 })).toEqual({ start: 500, reset: true });
    expect(reset({ partition: 3, offset: 200 }, { maxReplay: 300 })).toEqual({ start: 200, reset: false });
  });

  it('needs bounds for a partition the pod does not read', () => {
    expect(() =>
      subscriptionStart({ ...base, cursor: undefined, live: undefined, bounds: undefined }),
    ).toThrow();
  });
});
