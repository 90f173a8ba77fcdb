import { formatCell, renderTable } from './table';

describe('table', () => {
  it('formats numbers for reading', () => {
    expect(formatCell(1234567)).toBe('1,234,567');
    expect(formatCell(0.1234)).toBe('0.123');
    expect(formatCell(12.345)).toBe('12.35');
    expect(formatCell(1234.56)).toBe('1,234.6');
    expect(formatCell(null)).toBe('-');
  });

  it('renders a Markdown table with numbers right-aligned', () => {
    const out = renderTable({
      title: 't',
      columns: ['figure', 'a', 'b'],
      rows: [
        ['deliveries/s', 1000, 20],
        ['ratio', 1.5, null],
      ],
    });
    expect(out.split('\n')).toEqual([
      't',
      '',
      '| figure       |     a |  b |',
      '| ------------ | ----: | -: |',
      '| deliveries/s | 1,000 | 20 |',
      '| ratio        |  1.50 |  - |',
    ]);
  });
});
