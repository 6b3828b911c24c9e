// The import rules, as lint rules (issue 10: a linter instead of hand-written import tests).
// `npm run lint` runs this and knip (unused files, exports and dependencies: knip.jsonc).
//
// 1. Deep provider imports only: `@cdktf/provider-<name>` and `@cdktf/provider-<name>/lib` load
//    every resource class of the provider (thousands of files, seconds and hundreds of MB on every
//    synth and test); import `@cdktf/provider-<name>/lib/<resource>`.
// 2. ARCHITECTURE.md's layering, one direction: environments -> constructs -> features -> stacks ->
//    main.ts. A layer imports only earlier layers.
import tseslint from 'typescript-eslint';

const BARREL = '^@cdktf/provider-[a-z0-9-]+(/lib)?/?$';
/** The same pattern inside an esquery selector's regex literal, where `/` must be escaped. */
const BARREL_SELECTOR = BARREL.replaceAll('/', '\\/');
const BARREL_MESSAGE = 'Import the resource module (`@cdktf/provider-<name>/lib/<resource>`), not the provider barrel: it loads every resource class.';

/** The rules for one layer: the barrel rule, plus no import of any later layer (relative paths). */
function layer(later) {
  const patterns = [{ regex: BARREL, message: BARREL_MESSAGE }];
  if (later.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${later.join('|')})(/|$)`,
      message: `ARCHITECTURE.md layering: this layer may not import ${later.join(', ')} (a later layer).`,
    });
  }
  return {
    'no-restricted-imports': ['error', { patterns }],
    // The same rule for require() and import(), which no-restricted-imports does not see.
    'no-restricted-syntax': [
      'error',
      { selector: `CallExpression[callee.name='require'] > Literal[value=/${BARREL_SELECTOR}/]`, message: BARREL_MESSAGE },
      { selector: `ImportExpression > Literal[value=/${BARREL_SELECTOR}/]`, message: BARREL_MESSAGE },
    ],
  };
}

const LAYERS = ['environments', 'constructs', 'features', 'stacks'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'cdktf.out/**', '.gen/**', 'coverage/**', '.validate/**'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // The plugin is registered so that the code's reasoned disable comments name known rules.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: layer([]),
  },
  ...LAYERS.map((name, i) => ({
    files: [`${name}/**/*.ts`],
    rules: {
      ...layer([...LAYERS.slice(i + 1), 'main']),
      // In the program, a require() is a deliberate lazy load (a reasoned disable comment says why).
      '@typescript-eslint/no-require-imports': 'error',
    },
  })),
);
