import tseslint from 'typescript-eslint';

// The architecture, as lint. Flat config replaces a rule's options per file instead of merging them, so
// each file group below lists every import restriction that applies to it.
const notThePanel = {
  patterns: [
    {
      regex: '(^|/)admin/panel/|^\\.\\.?/panel/',
      message:
        'src/admin/panel/ is browser code bundled for /admin/app.js; the server reaches it by path (bundleBrowserScript), never by import',
    },
  ],
};
const noRawPg = { paths: [{ name: 'pg', message: 'pg belongs in src/db and query files' }] };
const notCapture = { patterns: [{ group: ['**/capture/**'], message: 'channels must not depend on capture' }] };

/** One `no-restricted-imports` setting holding all the given restrictions. */
function restrictImports(...restrictions) {
  return [
    'error',
    {
      paths: restrictions.flatMap((restriction) => restriction.paths ?? []),
      patterns: restrictions.flatMap((restriction) => restriction.patterns ?? []),
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', '.leadline/', 'bench/results.md'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Server code never imports the browser panel.
    files: ['**/*.ts'],
    ignores: ['src/admin/panel/**'],
    rules: { 'no-restricted-imports': restrictImports(notThePanel) },
  },
  {
    // Raw pg only in the database layer and query files.
    files: ['src/http/**/*.ts', 'src/channels/**/*.ts', 'src/capture/capture-routes.ts', 'src/capture/lead-schemas.ts'],
    rules: { 'no-restricted-imports': restrictImports(notThePanel, noRawPg) },
  },
  {
    // Channels know nothing of capture (and, as above, nothing of pg).
    files: ['src/channels/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports(notThePanel, noRawPg, notCapture) },
  },
  {
    // The panel runs in the browser: from outside its folder it takes types only (erased by esbuild), so
    // no server code (pg, express, node:*) can end up in the bundle. The one value import allowed is the
    // import-free lead vocabulary, so the panel's status and quality lists are the server's own.
    files: ['src/admin/panel/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./[^/]+$|\\.\\./\\.\\./leads/lead-vocabulary\\.ts$)',
              allowTypeImports: true,
              message:
                'the browser panel may import only types from outside src/admin/panel/ (import type …), except ../../leads/lead-vocabulary.ts',
            },
          ],
        },
      ],
      // `import { type X }` would leave `import '…'` behind under verbatimModuleSyntax, and esbuild would bundle that module.
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
