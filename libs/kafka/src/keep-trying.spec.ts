import { keepTrying } from './keep-trying';

describe('keepTrying', () => {
  const logger = { warn: jest.fn() };
  const wait = () => Promise.resolve();
  beforeEach(() => logger.warn.mockClear());

  it('retries until the attempt succeeds, and returns its result', async () => {
    let attempts = 0;
    const attempt = async () => {
      if (++attempts < 3) throw new Error('ECONNREFUSED');
      return 'connected';
    };
    await expect(
      keepTrying({ what: 'producer connect', attempt, logger, stopped: () => false, wait }),
    ).resolves.toBe('connected');
    expect(attempts).toBe(3);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[0]![1]).toContain('producer connect failed');
  });

  it('gives up once shutdown began', async () => {
    let stopped = false;
    const attempt = async () => {
      stopped = true;
      throw new Error('ECONNREFUSED');
    };
    await expect(
      keepTrying({ what: 'x', attempt, logger, stopped: () => stopped, wait }),
    ).resolves.toBeUndefined();
  });
});
