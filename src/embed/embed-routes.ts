import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import express, { type Router } from 'express';
import { bundleBrowserScript } from '../http/bundle-browser-script.ts';

const EMBED_ENTRY = fileURLToPath(new URL('./browser/main.ts', import.meta.url));

/**
 * Sites put `/embed.js` itself in their pages, so the URL cannot change with each release. A day of
 * freshness keeps a visitor's repeat page views free of requests; after it the browser keeps using its copy
 * for up to a week while it revalidates in the background, and the content-hash ETag makes that check a 304
 * until the code changes. A fix so reaches every visitor within a day and one page view.
 */
export const EMBED_CACHE_CONTROL = 'public, max-age=86400, stale-while-revalidate=604800';

export interface EmbedScript {
  code: string;
  gzipped: Buffer;
  etag: string;
}

/**
 * The embed bundle, built (and gzipped) once per process. main.ts calls it before anything starts: a build
 * error then stops start-up before the database is touched, and the build (esbuild, tens of milliseconds)
 * does not hold up the HTTP listener while workers already run.
 */
export function buildEmbedScript(): EmbedScript {
  const bundle = bundleBrowserScript(EMBED_ENTRY);
  return { code: bundle.code, gzipped: gzipSync(bundle.code, { level: 9 }), etag: bundle.etag };
}

/**
 * `GET /embed.js`: the website embed (src/embed/browser/), public, loadable from any site
 * (`Cross-Origin-Resource-Policy: cross-origin`; which sites may then post leads is CORS_ORIGINS' business,
 * on the capture routes). Sent gzipped when the browser accepts it; each coding has its own strong ETag.
 */
export function embedRoutes(script: EmbedScript): Router {
  const router = express.Router();
  const gzipEtag = `${script.etag.slice(0, -1)}-gz"`;

  router.get('/embed.js', (req, res) => {
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const etag = gzip ? gzipEtag : script.etag;
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': EMBED_CACHE_CONTROL,
      'Cross-Origin-Resource-Policy': 'cross-origin',
      Vary: 'Accept-Encoding',
      ETag: etag,
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (gzip) res.set('Content-Encoding', 'gzip').send(script.gzipped);
    else res.send(script.code);
  });

  return router;
}
