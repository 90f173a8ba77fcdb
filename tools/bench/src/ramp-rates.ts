/** The post rates of a capacity ramp: doubling from `start`, the last step at `max` itself. */
export function rampRates(start: number, max: number): number[] {
  const rates: number[] = [];
  for (let r = start; r < max; r *= 2) rates.push(r);
  rates.push(max);
  return rates;
}
