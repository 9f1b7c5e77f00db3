import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { bundleBrowserScript } from '../http/bundle-browser-script.ts';
import { AppError } from '../shared/app-error.ts';

export interface AdminPanelDeps {
  /** When set, the panel takes live updates from Supabase Realtime instead of the SSE stream. */
  supabase: { url: string; anonKey: string } | undefined;
}

/** `GET /admin/config.json`: how the panel takes its live updates. */
export type AdminPanelConfig = { live_updates: 'sse' } | { live_updates: 'supabase'; supabase: { url: string; anon_key: string } };

const PANEL_DIR = fileURLToPath(new URL('./panel/', import.meta.url));
const PANEL_ENTRY = fileURLToPath(new URL('./panel/main.ts', import.meta.url));

/** The supabase-js browser build, served from our own origin so the CSP can stay `script-src 'self'`. */
function supabaseBundlePath(): string {
  return createRequire(import.meta.url).resolve('@supabase/supabase-js/dist/umd/supabase.js');
}

/**
 * `GET /admin`: the admin panel, a page, a stylesheet and one script bundled from `panel/*.ts` when this
 * router is made (so a panel that does not build stops start-up). The files are public (they hold no data);
 * every number and name the page shows comes from `/api/admin/*` with the admin key. `no-cache` makes a
 * browser revalidate after an upgrade instead of running yesterday's script against today's API; the
 * script's ETag makes that revalidation a 304 until the code changes. Only these named files are served:
 * the panel folder also holds the TypeScript sources.
 */
export function adminPanelRoutes(deps: AdminPanelDeps): Router {
  const router = express.Router();
  const noCache = { 'Cache-Control': 'no-cache' };
  const script = bundleBrowserScript(PANEL_ENTRY);

  router.get(['/admin', '/admin/'], (_req, res) => {
    res.sendFile('index.html', { root: PANEL_DIR, headers: { ...noCache, 'Content-Type': 'text/html; charset=utf-8' } });
  });

  router.get('/admin/admin.css', (_req, res) => {
    res.sendFile('admin.css', { root: PANEL_DIR, headers: { ...noCache, 'Content-Type': 'text/css; charset=utf-8' } });
  });

  // res.send answers 304 itself when If-None-Match holds this ETag.
  router.get('/admin/app.js', (_req, res) => {
    res.set({ ...noCache, 'Content-Type': 'text/javascript; charset=utf-8', ETag: script.etag }).send(script.code);
  });

  // The anon key is designed to be public (row-level security guards the data); it is only sent when the
  // operator configured Supabase.
  router.get('/admin/config.json', (_req, res) => {
    const config: AdminPanelConfig = deps.supabase
      ? { live_updates: 'supabase', supabase: { url: deps.supabase.url, anon_key: deps.supabase.anonKey } }
      : { live_updates: 'sse' };
    res.set(noCache).json(config);
  });

  router.get('/admin/vendor/supabase.js', (_req, res, next) => {
    if (!deps.supabase) {
      next(new AppError('not_found', 'Supabase Realtime is not configured (set SUPABASE_URL and SUPABASE_ANON_KEY)'));
      return;
    }
    res.sendFile(supabaseBundlePath(), { headers: { ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' } });
  });

  return router;
}
