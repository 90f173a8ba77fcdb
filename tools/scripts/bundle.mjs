// Bundles an app (run from its folder) into dist/main.js: the project's own libs are inlined,
// every npm package stays external so the image installs production dependencies only.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@threadcast/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
