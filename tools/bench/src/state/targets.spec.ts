import { targetRows } from './targets';

describe('state targets', () => {
  it('prints each figure against its bar, met when at or under it', () => {
    const rows = targetRows('route', {
      rssMb: 150,
      coldSeconds: 61,
      warmSeconds: 0.8,
      changelogBytesPerVote: 412.34,
    });
    expect(rows).toEqual([
      ['route', 'RSS after restore, MB', 150, '<= 150', 'met'],
      ['route', 'ready cold (no local state), s', 61, '<= 60', 'NOT MET'],
      ['route', 'ready warm (restart), s', 0.8, '<= 5', 'met'],
      ['route', 'changelog bytes per vote', 412.3, '<= 100', 'NOT MET'],
    ]);
  });
});
