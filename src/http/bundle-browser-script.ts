import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

export interface BrowserBundle {
  /** The minified script, one IIFE with every import inlined. */
  code: string;
  /** A strong ETag (quoted) from the content hash: it changes exactly when the code does. */
  etag: string;
  /** The size a browser downloads with gzip, to keep an eye on what each page costs. */
  gzipBytes: number;
}

/**
 * The browsers the bundles are written for: evergreen releases from 2023 on, which all run ES2022 as it
 * is and have the fetch streams and TextDecoderStream the admin panel's live updates read with.
 */
const BROWSER_TARGETS = ['chrome111', 'edge111', 'firefox111', 'safari16.4'];

/** One build per entry point for the life of the process; the sources do not change under a running server. */
const bundles = new Map<string, BrowserBundle>();

/**
 * Bundles one browser entry point (TypeScript or JavaScript) in memory with esbuild. The first call for an
 * entry builds it and later calls return the same result; call it while the server starts, so a build
 * error stops start-up with esbuild's message instead of serving a page whose script is broken. It builds
 * synchronously (tens of milliseconds, once): routers are made synchronously and must hold the result
 * before the first request.
 *
 * `import type` from server modules is erased, so a browser module may share the server's response types;
 * eslint.config.js keeps value imports of server code out of browser folders.
 */
export function bundleBrowserScript(entryPath: string): BrowserBundle {
  const entry = resolve(entryPath);
  const cached = bundles.get(entry);
  if (cached) return cached;

  let code: string;
  try {
    const result = buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: BROWSER_TARGETS,
      sourcemap: false,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    code = output.text;
  } catch (error) {
    throw new Error(`could not bundle the browser script ${entry}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }

  const bundle: BrowserBundle = {
    code,
    etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"`,
    gzipBytes: gzipSync(code).length,
  };
  bundles.set(entry, bundle);
  return bundle;
}
