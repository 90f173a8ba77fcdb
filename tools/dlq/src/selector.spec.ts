import { parseSelector } from './selector';
import { dlqEntry } from './dlq-entry.fixtures';

describe('parseSelector', () => {
  const entries = [
    dlqEntry(3),
    dlqEntry(7, { code: 'schema_violation' }),
    dlqEntry(8, { stage: 'route', topic: 'comments.enriched' }),
    dlqEntry(12, { key: 't-2' }),
  ];
  const ids = (words: string[]) => entries.filter(parseSelector(words)).map((e) => e.id);

  it('picks offsets, ranges and comma lists of them', () => {
    expect(ids(['7'])).toEqual(['7']);
    expect(ids(['3-8'])).toEqual(['3', '7', '8']);
    expect(ids(['3,8-20'])).toEqual(['3', '8', '12']);
    expect(ids(['0:12'])).toEqual(['12']);
    expect(ids(['1:12'])).toEqual([]);
  });
  it('filters by code, stage, key and source topic; all words must match', () => {
    expect(ids(['code=thread_closed'])).toEqual(['3', '8', '12']);
    expect(ids(['stage=route'])).toEqual(['8']);
    expect(ids(['key=t-2'])).toEqual(['12']);
    expect(ids(['source=comments'])).toEqual(['3', '7', '12']);
    expect(ids(['code=thread_closed', '3-10'])).toEqual(['3', '8']);
    expect(ids(['all'])).toEqual(['3', '7', '8', '12']);
  });
  it('refuses an empty or malformed selector with what it expects', () => {
    expect(() => parseSelector([])).toThrow(/needs a selector/);
    expect(() => parseSelector(['x'])).toThrow(/expected all \|/);
    expect(() => parseSelector(['9-3'])).toThrow(/runs backwards/);
    expect(() => parseSelector(['colour=red'])).toThrow(/expected code=<value>/);
    expect(() => parseSelector(['code='])).toThrow(/expected code=<value>/);
  });
});
