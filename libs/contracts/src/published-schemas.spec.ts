import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from './published-schemas';

// The committed JSON Schema files are the published contract; they must match the definitions.
// Regenerate with: npm run contracts:schemas
describe('published JSON Schemas', () => {
  it.each(Object.entries(publishedSchemas()))('%s is up to date', (file, schema) => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'schemas', file), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
  });
});
