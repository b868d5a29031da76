// Lint: ESLint's recommended rules plus typescript-eslint's type-aware ones (floating promises,
// misused promises, unnecessary conditions the types already decide…). `npm run lint`, zero findings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'target/**',
      'packages/simdopt/wasm/**',
      'bench/results/**',
      'examples/out/**',
      'test/out/**',
      'test/e2e/fixtures/**',
      'docs/api/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Type-aware rules that catch real bugs in this codebase's style.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // Unused bindings prefixed with _ are deliberate (destructuring away `params`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Validation code inspects untyped user input on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // `cond && f()` and `a ? f() : g()` as statements are deliberate here.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // An async function without await is how a sync body keeps a Promise-returning signature.
      '@typescript-eslint/require-await': 'off',
      // Parameter and Module declare `[Symbol.dispose]` by merging an interface into the class: the
      // method is installed only where the runtime has Symbol.dispose (no global polyfill).
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // With TypeScript 6 it flags assertions that contextual typing needs (removing them breaks
      // the type check), so it is not a reliable finding here.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Tests and benchmarks pass methods to expect()/timers as values on purpose.
    files: ['**/test/**', '**/*.test.ts', 'bench/**'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
