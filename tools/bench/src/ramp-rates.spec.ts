import { rampRates } from './ramp-rates';

describe('rampRates', () => {
  it('doubles from the start rate and ends at the max rate', () => {
    expect(rampRates(100, 6400)).toEqual([100, 200, 400, 800, 1600, 3200, 6400]);
    expect(rampRates(100, 500)).toEqual([100, 200, 400, 500]);
    expect(rampRates(5, 10)).toEqual([5, 10]);
    expect(rampRates(300, 300)).toEqual([300]);
  });
});
