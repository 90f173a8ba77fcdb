// Bundles an app (run from its folder) into dist/main.js: the project's own libs are inlined,
// every npm package stays external so the image installs production dependencies only.
import { build } from 'esbuild';
import { nodeBundle } from './lib/node-bundle.mjs';

await build(nodeBundle({ entryPoints: ['src/main.ts'], outfile: 'dist/main.js', sourcemap: 'linked' }));
