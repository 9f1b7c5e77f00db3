import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { AppError } from '../shared/app-error.ts';
import { buildOpenApiDocument, type RouteEntry } from './build-openapi-document.ts';

const DOCS_DIR = fileURLToPath(new URL('./docs/', import.meta.url));

/** Swagger UI from node_modules (swagger-ui-dist), never a CDN; only these files are served. */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerUiDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export interface OpenApiRouteDeps {
  entries: readonly RouteEntry[];
  version: string;
}

/**
 * `GET /openapi.json` (built once, when the router is made: a schema zod cannot express stops start-up) and
 * `GET /docs`, Swagger UI over it. Both public: the document describes routes, it holds no data.
 */
export function openApiRoutes(deps: OpenApiRouteDeps): Router {
  const router = express.Router();
  const document = JSON.stringify(
    buildOpenApiDocument(deps.entries, {
      title: 'Leadline',
      version: deps.version,
      description:
        'Lead capture that never loses a lead. Errors are `application/problem+json` (RFC 9457) with `errors[]` field paths; every response carries `x-request-id`.',
    }),
  );
  const uiDir = swaggerUiDir();
  const noCache = { 'Cache-Control': 'no-cache' };

  router.get('/openapi.json', (_req, res) => {
    res.set(noCache).type('application/json').send(document);
  });

  router.get('/docs', (_req, res) => {
    res.sendFile('index.html', { root: DOCS_DIR, headers: { ...noCache, 'Content-Type': 'text/html; charset=utf-8' } });
  });

  router.get('/docs/:file', (req, res, next) => {
    const file = req.params.file;
    if (file === 'init.js') {
      res.sendFile('init.js', { root: DOCS_DIR, headers: { ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' } });
      return;
    }
    const type = Object.hasOwn(SWAGGER_FILES, file) ? SWAGGER_FILES[file] : undefined;
    if (!type) {
      next(new AppError('not_found', `no file ${JSON.stringify(file.slice(0, 60))} under /docs`));
      return;
    }
    res.sendFile(file, { root: uiDir, headers: { ...noCache, 'Content-Type': type } });
  });

  return router;
}
