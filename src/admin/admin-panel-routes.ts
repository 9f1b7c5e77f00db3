import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { AppError } from '../shared/app-error.ts';

export interface AdminPanelDeps {
  /** When set, the panel takes live updates from Supabase Realtime instead of the SSE stream. */
  supabase: { url: string; anonKey: string } | undefined;
}

const PANEL_DIR = fileURLToPath(new URL('./panel/', import.meta.url));

/** The supabase-js browser build, served from our own origin so the CSP can stay `script-src 'self'`. */
function supabaseBundlePath(): string {
  return createRequire(import.meta.url).resolve('@supabase/supabase-js/dist/umd/supabase.js');
}

/**
 * `GET /admin`: the admin panel, static files with no build step. The files are public (they hold no data);
 * every number and name the page shows comes from `/api/admin/*` with the admin key. `no-cache` makes a
 * browser revalidate after an upgrade instead of running yesterday's script against today's API.
 */
export function adminPanelRoutes(deps: AdminPanelDeps): Router {
  const router = express.Router();
  const noCache = { 'Cache-Control': 'no-cache' };

  router.get(['/admin', '/admin/'], (_req, res) => {
    res.sendFile('index.html', { root: PANEL_DIR, headers: { ...noCache, 'Content-Type': 'text/html; charset=utf-8' } });
  });

  // The anon key is designed to be public (row-level security guards the data); it is only sent when the
  // operator configured Supabase.
  router.get('/admin/config.json', (_req, res) => {
    res.set(noCache).json(
      deps.supabase
        ? { live_updates: 'supabase', supabase: { url: deps.supabase.url, anon_key: deps.supabase.anonKey } }
        : { live_updates: 'sse' },
    );
  });

  router.get('/admin/vendor/supabase.js', (_req, res, next) => {
    if (!deps.supabase) {
      next(new AppError('not_found', 'Supabase Realtime is not configured (set SUPABASE_URL and SUPABASE_ANON_KEY)'));
      return;
    }
    res.sendFile(supabaseBundlePath(), { headers: { ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' } });
  });

  router.use(
    '/admin',
    express.static(PANEL_DIR, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      etag: true,
      lastModified: true,
      cacheControl: false,
      setHeaders: (res, filePath) => {
        res.setHeader('Cache-Control', 'no-cache');
        if (filePath.endsWith('.js')) res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      },
    }),
  );

  return router;
}
