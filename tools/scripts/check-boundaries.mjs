// Proves the module-boundary rules bite: lints imports that the architecture forbids, as if
// they were written in real files, and fails unless ESLint reports each one.
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const cases = [
  {
    file: 'apps/route/src/forbidden.ts',
    code: "import { x } from '@threadcast/ingest';\nexport const y = x;\n",
    rule: '@nx/enforce-module-boundaries',
    what: 'an app importing another app',
  },
  {
    file: 'libs/contracts/src/forbidden.ts',
    code: "import { x } from '@threadcast/gateway';\nexport const y = x;\n",
    rule: '@nx/enforce-module-boundaries',
    what: 'a lib importing an app',
  },
  {
    file: 'apps/enrich/src/forbidden.ts',
    code: "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n",
    rule: 'no-restricted-imports',
    what: 'kafkajs outside libs/kafka',
  },
  {
    file: 'apps/route/src/forbidden.ts',
    code: "import WebSocket from 'ws';\nexport const w = WebSocket;\n",
    rule: 'no-restricted-imports',
    what: 'ws outside the gateway',
  },
  {
    file: 'libs/contracts/src/forbidden.ts',
    code: "export * from './topics';\n",
    rule: 'no-restricted-syntax',
    what: 'export * in a lib',
  },
];

const eslint = new ESLint({ cwd: root });
let failed = 0;
for (const c of cases) {
  const [result] = await eslint.lintText(c.code, { filePath: join(root, c.file) });
  const hit = result.messages.find((m) => m.ruleId === c.rule && m.severity === 2);
  if (hit) console.log(`ok   ${c.what}: ${c.rule} reports "${hit.message.split('\n')[0]}"`);
  else {
    failed++;
    console.log(
      `FAIL ${c.what}: ${c.rule} did not report it (got ${JSON.stringify(result.messages.map((m) => m.ruleId))})`,
    );
  }
}
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
