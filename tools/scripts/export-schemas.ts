// Writes libs/contracts/schemas/*.json from the TypeBox definitions (run: npm run contracts:schemas).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from '@threadcast/contracts';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(
    join(process.cwd(), 'libs', 'contracts', 'schemas', file),
    JSON.stringify(schema, null, 2) + '\n',
  );
  console.log(`wrote libs/contracts/schemas/${file}`);
}
