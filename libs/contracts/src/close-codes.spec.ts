import { isTerminalClose } from './close-codes';

describe('isTerminalClose', () => {
  it.each([1008, 4401, 4403])('stops on %i (policy or auth)', (code) => {
    expect(isTerminalClose(code)).toBe(true);
  });

  it.each([1000, 1001, 1005, 1006, 1011, 1012, 1013, 4000])('retries after %i', (code) => {
    expect(isTerminalClose(code)).toBe(false);
  });
});
