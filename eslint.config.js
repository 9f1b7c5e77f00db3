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
    {
      regex: '(^|/)embed/browser/|^\\.\\.?/browser/',
      message:
        'src/embed/browser/ is browser code bundled for /embed.js; the server reaches it by path (bundleBrowserScript), never by import',
    },
  ],
};
const noRawPg = { paths: [{ name: 'pg', message: 'pg belongs in src/db and query files' }] };

/*
 * The data flow, as lint: embed (the website form, whose browser code posts to capture) → capture → outbox
 * (events) → relay → delivery → channels, with sla, digest, ingest and admin beside it, on a foundation
 * (shared, time, threads, config, logging, db, queue, http, events, leads). A
 * folder may import the foundation and what comes before it in the flow, never what comes after it, and the
 * foundation imports no feature. `lifecycle` (export, erasure, retention) comes after every feature whose
 * tables it reads and clears, so none of them imports it. `admin`, `health` and `metrics` read everything
 * and nothing imports them (main.ts wires them).
 */
const FEATURES = [
  'embed',
  'capture',
  'spool',
  'relay',
  'delivery',
  'channels',
  'sla',
  'digest',
  'ingest',
  'lifecycle',
  'admin',
  'health',
  'metrics',
  'presence',
  'team',
];
/** Every feature folder except the given ones: what a pipeline stage may not import. */
function featuresOtherThan(...allowed) {
  return FEATURES.filter((name) => !allowed.includes(name));
}
const FORBIDDEN = {
  shared: [...FEATURES, 'config', 'db', 'events', 'leads', 'time', 'logging', 'queue', 'http'],
  time: [...FEATURES, 'config', 'db', 'events', 'leads', 'logging', 'queue', 'http'],
  logging: [...FEATURES, 'config', 'db', 'events', 'leads', 'queue', 'http'],
  threads: [...FEATURES, 'config', 'db', 'events', 'leads', 'time', 'queue', 'http'],
  config: FEATURES,
  db: [...FEATURES, 'events', 'leads', 'queue', 'http'],
  queue: [...FEATURES, 'events', 'leads', 'http'],
  http: FEATURES,
  events: FEATURES,
  leads: FEATURES,
  presence: FEATURES.filter((name) => name !== 'presence'),
  spool: featuresOtherThan('spool', 'presence'),
  capture: featuresOtherThan('capture', 'spool', 'presence'),
  relay: featuresOtherThan('relay', 'delivery', 'presence'),
  delivery: featuresOtherThan('delivery', 'channels', 'presence'),
  channels: [...featuresOtherThan('channels', 'presence'), 'db', 'queue'],
  sla: featuresOtherThan('sla', 'presence'),
  digest: featuresOtherThan('digest', 'channels', 'presence'),
  ingest: featuresOtherThan('ingest', 'capture', 'presence'),
  embed: FEATURES.filter((name) => name !== 'embed'),
  lifecycle: ['admin', 'health', 'metrics', 'team'],
  health: ['admin', 'metrics'],
  metrics: ['admin', 'health'],
  admin: ['health', 'metrics'],
  // The team's routes (agents, the one-tap links) read the foundation; nothing imports them (main.ts wires them).
  team: featuresOtherThan('team', 'presence'),
};
const againstTheFlow = (folder) => ({
  patterns: (FORBIDDEN[folder] ?? []).map((name) => ({
    group: [`**/${name}/**`, `../${name}/*`],
    message: `src/${folder}/ must not import src/${name}/: that runs against the data flow (see eslint.config.js)`,
  })),
});

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
    // `import-probe.ts` files exist only in memory: the architecture test lints them to prove the rules bite.
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['src/*/import-probe.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Server code never imports the browser panel.
    files: ['**/*.ts'],
    ignores: ['src/admin/panel/**', 'src/embed/browser/**'],
    rules: { 'no-restricted-imports': restrictImports(notThePanel) },
  },
  ...Object.keys(FORBIDDEN).map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    ignores: ['src/admin/panel/**', 'src/embed/browser/**', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        notThePanel,
        againstTheFlow(folder),
        // Raw pg only in the database layer and query files, never in HTTP plumbing or channels.
        ...(folder === 'http' || folder === 'channels' ? [noRawPg] : []),
      ),
    },
  })),
  {
    files: ['src/capture/capture-routes.ts', 'src/capture/lead-schemas.ts'],
    rules: { 'no-restricted-imports': restrictImports(notThePanel, againstTheFlow('capture'), noRawPg) },
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
    // The embed runs on other people's sites: from outside its folder it takes types only (erased by
    // esbuild), so no server code and no dependency can end up in the bundle.
    files: ['src/embed/browser/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./[^/]+$)',
              allowTypeImports: true,
              message: 'the website embed may import only types from outside src/embed/browser/ (import type …)',
            },
          ],
        },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
