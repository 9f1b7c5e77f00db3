import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../shared/app-error.ts';
import { problemMiddleware } from './send-problem.ts';
import { requestId, securityHeaders } from './web-hygiene.ts';

export interface AppParts {
  logger: Logger;
  trustProxy: string | undefined;
  /** True once shutdown began: new requests get 503 while in-flight ones finish. */
  isShuttingDown: () => boolean;
  /** Run first on every request, in order (the count of requests in flight, request timing for the metrics). */
  observe?: RequestHandler[];
  routers: Router[];
}

function parseTrustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function createApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const trustProxy = parseTrustProxy(parts.trustProxy);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);

  const refuseWhileShuttingDown: RequestHandler = (_req, res, next) => {
    if (!parts.isShuttingDown()) return next();
    res.setHeader('Connection', 'close');
    next(new AppError('shutting_down', 'the server is restarting; retry in a moment', { retryAfterSeconds: 2 }));
  };

  for (const observer of parts.observe ?? []) app.use(observer);
  app.use(requestId(), securityHeaders(), refuseWhileShuttingDown);
  for (const router of parts.routers) app.use(router);
  app.use((req, _res, next) =>
    next(new AppError('not_found', `no route for ${req.method} ${req.path}; see the API section of the README`)),
  );
  app.use(problemMiddleware(parts.logger));
  return app;
}
