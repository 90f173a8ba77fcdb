// esbuild options shared by every Node bundle of the repo (apps, tools/dlq, tools/bench): the
// project's own libs (@threadcast/*) are inlined, every npm package stays external, so an image
// or a tool run installs and loads npm packages as they are.

/** @type {import('esbuild').Plugin} */
export const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@threadcast/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** Options for `esbuild.build`: Node 24, CommonJS, `overrides` on top (entry points, output). */
export function nodeBundle(overrides) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    logLevel: 'warning',
    plugins: [externalPackages],
    ...overrides,
  };
}
