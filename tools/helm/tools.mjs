// `node tools/helm/tools.mjs [paths]`: builds what the chart checks need where it is missing
// (helm, kubeconform, the Kubernetes JSON schemas, promcheck; see lib/tools.mjs), then prints where they
// are as JSON. The jest suites call it, so they run on their own as well as from check.mjs.
// `node tools/helm/tools.mjs tidy`: after changing a version in schemagen/go.mod, updates its
// go.mod and go.sum (the generated package it needs exists only in a scratch copy).
import { ensureTools, tidySchemagen } from './lib/tools.mjs';

const arg = process.argv[2] ?? 'paths';
if (arg !== 'paths' && arg !== 'tidy') {
  process.stderr.write('usage: node tools/helm/tools.mjs [paths | tidy]\n');
  process.exit(2);
}
try {
  if (arg === 'tidy') {
    await tidySchemagen();
    process.stdout.write('tools/helm/schemagen: go.mod and go.sum updated\n');
  } else {
    process.stdout.write(`${JSON.stringify(await ensureTools())}\n`);
  }
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
