import { ConfigError, bool, int, list, loadConfig, oneOf, optional, port, str } from './index';

const schema = {
  NAME: str('a name', 'threadcast'),
  PORT: port('a port', 8080),
  RATE: int('a rate', 5, { min: 1, max: 10 }),
  ON: bool('a flag', false),
  BROKERS: list('brokers', ['localhost:9092']),
  MODE: oneOf('a mode', ['a', 'b'], 'a'),
  SECRET: optional('a secret'),
};

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    expect(loadConfig(schema, {})).toEqual({
      NAME: 'threadcast',
      PORT: 8080,
      RATE: 5,
      ON: false,
      BROKERS: ['localhost:9092'],
      MODE: 'a',
      SECRET: undefined,
    });
  });

  it('does not repeat a list value in its error: it may be a list of secrets', () => {
    expect(() => loadConfig(schema, { BROKERS: 'key-one,,key-two' })).toThrow(/^(?!.*key-one).*empty item/);
  });

  it('parses set values', () => {
    const c = loadConfig(schema, { PORT: '1', ON: 'true', BROKERS: 'a:1, b:2', MODE: 'b', SECRET: 's' });
    expect(c).toMatchObject({ PORT: 1, ON: true, BROKERS: ['a:1', 'b:2'], MODE: 'b', SECRET: 's' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'expected an integer'],
    [{ PORT: '70000' }, 'PORT', 'from 0 to 65535'],
    [{ BROKERS: '' }, 'BROKERS', 'must not be empty'],
    [{ BROKERS: 'a:1,,b:2' }, 'BROKERS', 'has an empty item (item 2 of 3)'],
    [{ ON: 'maybe' }, 'ON', 'true or false'],
    [{ MODE: 'c' }, 'MODE', 'one of a|b'],
    [{ NAME: ' ' }, 'NAME', 'must not be empty'],
    [{ RATE: '0' }, 'RATE', 'from 1 to 10'],
  ])('rejects %j naming %s', (env, variable, problem) => {
    let err: unknown;
    try {
      loadConfig(schema, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).toContain(variable);
    expect((err as ConfigError).message).toContain(problem);
    expect((err as ConfigError).message).not.toContain('\n');
  });

  it('treats a required field without value as an error', () => {
    expect(() => loadConfig({ X: str('required') }, {})).toThrow('X must not be empty');
  });
});
