// The one import rule oxlint has no native rule for (.oxlintrc.json: `project/no-barrel-require`):
// no provider barrel through `require()`. Oxlint's `no-restricted-imports` sees import and
// export-from declarations, `import x = require()` and `import()`, but not a `require()` call.
//
// A JS plugin rule (oxlint's ESLint-compatible plugin API, `createOnce` form). Oxlint hands a file's
// AST to JavaScript only for a rule that runs on it, so `before` skips every file whose text lacks
// `require` or `@cdktf/provider-` (all but about 18 of the tree's 278 files: 0.6 s of CPU for the
// tree instead of 1.8 s). The cost of that shortcut: a specifier spelled with escape sequences
// (`'\u0040cdktf/provider-aws'`) is not seen. Case-insensitive, as the import patterns are.
const BARREL = /^@cdktf\/provider-[a-z0-9-]+(\/lib)?\/?$/i;
const BARREL_MESSAGE = 'Import the resource module (`@cdktf/provider-<name>/lib/<resource>`), not the provider barrel: it loads every resource class.';

const noBarrelRequire = {
  meta: { type: 'problem', docs: { description: 'No provider barrel through require()' }, schema: [] },
  createOnce(context) {
    return {
      before() {
        const text = context.sourceCode.text;
        return text.includes('require') && /@cdktf\/provider-/i.test(text);
      },
      CallExpression(node) {
        if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
        for (const arg of node.arguments) {
          if (arg.type === 'Literal' && typeof arg.value === 'string' && BARREL.test(arg.value)) {
            context.report({ node: arg, message: BARREL_MESSAGE });
          }
        }
      },
    };
  },
};

export default { meta: { name: 'project' }, rules: { 'no-barrel-require': noBarrelRequire } };
