import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.leadline/', 'src/admin/panel/**', 'bench/results.md'] },
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
    // The architecture, as lint: raw pg only in the database layer and query files; channels know nothing
    // of capture.
    files: ['src/http/**/*.ts', 'src/channels/**/*.ts', 'src/capture/capture-routes.ts', 'src/capture/lead-schemas.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'pg', message: 'pg belongs in src/db and query files' }] }] },
  },
  {
    files: ['src/channels/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/capture/**'], message: 'channels must not depend on capture' }] }] },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
