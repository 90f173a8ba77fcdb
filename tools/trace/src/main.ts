// `npm run trace -- <commentId|traceId>`: see USAGE in cli.ts and docs/runbook.md.
import { run } from './cli';

// `npm run trace -- <id> | head`: stop writing quietly when the reader goes.
process.stdout.on('error', () => process.exit(process.exitCode ?? 0));

run(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`trace: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
