// sanitize-html depends on ESM-only packages (htmlparser2 and its dom*/entities family), and so
// does parse5 (the XSS spec's browser-grade parser); Jest's CommonJS runtime cannot require them
// without --experimental-vm-modules, so SWC compiles them.
const esmOnly = [
  'htmlparser2',
  'domhandler',
  'domutils',
  'dom-serializer',
  'domelementtype',
  'entities',
  'parse5',
];

/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'enrich',
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
