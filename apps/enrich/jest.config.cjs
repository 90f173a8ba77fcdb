// sanitize-html depends on ESM-only packages (htmlparser2 and its dom*/entities family); Jest's
// CommonJS runtime cannot require them without --experimental-vm-modules, so SWC compiles them.
const esmOnly = ['htmlparser2', 'domhandler', 'domutils', 'dom-serializer', 'domelementtype', 'entities'];

/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'enrich',
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
