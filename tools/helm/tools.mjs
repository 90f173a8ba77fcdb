// `node tools/helm/tools.mjs [paths]`: builds what the chart checks need where it is missing
// (helm, kubeconform, the Kubernetes JSON schemas; see lib/tools.mjs), then prints where they
// are as JSON. The jest suites call it, so they run on their own as well as from check.mjs.
import { ensureTools } from './lib/tools.mjs';

const arg = process.argv[2] ?? 'paths';
if (arg !== 'paths') {
  process.stderr.write('usage: node tools/helm/tools.mjs [paths]\n');
  process.exit(2);
}
try {
  const tools = await ensureTools();
  process.stdout.write(`${JSON.stringify(tools)}\n`);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
