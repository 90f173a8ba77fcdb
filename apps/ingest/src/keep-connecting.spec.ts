import { keepConnecting } from './keep-connecting';

describe('keepConnecting', () => {
  const logger = { warn: jest.fn() };
  const wait = () => Promise.resolve();

  it('retries until the connection succeeds', async () => {
    let attempts = 0;
    const connect = async () => {
      if (++attempts < 3) throw new Error('ECONNREFUSED');
    };
    await expect(keepConnecting({ connect, logger, stopped: () => false, wait })).resolves.toBe(true);
    expect(attempts).toBe(3);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('gives up once shutdown began', async () => {
    let stopped = false;
    const connect = async () => {
      stopped = true;
      throw new Error('ECONNREFUSED');
    };
    await expect(keepConnecting({ connect, logger, stopped: () => stopped, wait })).resolves.toBe(false);
  });
});
