import { parseOptions, usage, UsageError } from './options';

describe('bench options', () => {
  it('fills defaults per scenario', () => {
    const f = parseOptions(['fanout']);
    expect(f.scenario).toBe('fanout');
    expect(f.values).toMatchObject({
      sockets: 10_000,
      channels: 100,
      rate: 0,
      'event-bytes': 300,
      baseline: true,
    });
    const p = parseOptions(['pipeline']);
    expect(p.values).toMatchObject({ rate: 500, threads: 100, sockets: 5000 });
    expect(parseOptions(['capacity']).values).toMatchObject({
      'start-rate': 100,
      'max-rate': 6400,
      'step-duration': 20,
      settle: 3,
      'p99-ms': 200,
      sockets: 1000,
      threads: 100,
    });
    const c = parseOptions(['connect', '--sockets', '20_000', '--rate', 'max', '--no-build']);
    expect(c.values).toMatchObject({ sockets: 20_000, rate: 0, build: false });
  });

  it('fills the state scenario defaults of issue 16, its own ready timeout over the common one', () => {
    expect(parseOptions(['state']).values).toMatchObject({
      users: 1_000_000,
      comments: 1_000_000,
      threads: 100_000,
      votes: 1_000_000,
      'hot-voters': 100_000,
      'ready-timeout': 600,
    });
    expect(parseOptions(['pipeline']).values['ready-timeout']).toBe(90);
    expect(() => parseOptions(['state', '--rate', 'max'])).toThrow(
      /--rate: the state scenario posts at a rate/,
    );
  });

  it('takes a peer server for fanout and connect, none by default', () => {
    expect(parseOptions(['fanout']).values.peer).toBe('none');
    expect(parseOptions(['fanout', '--peer', 'centrifugo']).values.peer).toBe('centrifugo');
    expect(parseOptions(['connect', '--peer', 'centrifugo']).values.peer).toBe('centrifugo');
    expect(() => parseOptions(['fanout', '--peer', 'nchan'])).toThrow(
      /--peer: expected none or centrifugo, got "nchan"/,
    );
    expect(() => parseOptions(['pipeline', '--peer', 'centrifugo'])).toThrow(/Unknown option '--peer'/);
    expect(usage()).toContain('--peer none|centrifugo');
  });

  it('derives the event count from rate and duration', () => {
    expect(parseOptions(['fanout', '--rate', '200', '--duration', '5']).values.events).toBe(1000);
  });

  it('names the bad option', () => {
    const bad = (argv: string[], message: RegExp) => {
      expect(() => parseOptions(argv)).toThrow(UsageError);
      expect(() => parseOptions(argv)).toThrow(message);
    };
    bad([], /name a scenario/);
    bad(['flood'], /unknown scenario "flood"/);
    bad(['fanout', '--sockets', '1e4'], /--sockets: expected a whole number, got "1e4"/);
    bad(['fanout', '--sockets', '0'], /--sockets: must be at least 1/);
    bad(['fanout', '--threads', '3'], /Unknown option '--threads'/);
    bad(['pipeline', '--rate', 'max'], /--rate: the pipeline scenario posts at a rate/);
    bad(['fanout', '--duration', '5'], /--duration: needs --rate/);
    bad(['connect', '--fault', 'kill-broker'], /--fault: expected kill-gateway/);
    bad(['capacity', '--rate', '100'], /Unknown option '--rate'/);
    bad(
      ['capacity', '--start-rate', '800', '--max-rate', '400'],
      /--start-rate: must not be above --max-rate/,
    );
    bad(['capacity', '--profile'], /--profile: not for capacity/);
  });

  it('documents every option', () => {
    const text = usage();
    for (const o of [
      '--sockets',
      '--channels',
      '--rate',
      '--threads',
      '--out',
      '--clients',
      '--fault',
      '--profile',
      '--start-rate',
      '--max-rate',
      '--step-duration',
      '--settle',
      '--p99-ms',
    ]) {
      expect(text).toContain(o);
    }
  });
});
