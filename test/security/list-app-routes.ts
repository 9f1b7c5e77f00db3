import type { Express } from 'express';

export interface AppRoute {
  /** Upper-case HTTP method, or `ALL` for `router.all`. */
  method: string;
  /** The full path pattern as registered, e.g. `/api/admin/leads/:id`. */
  path: string;
}

/** The parts of express 5's router internals (the `router` package, 2.x) that the walk reads. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: unknown;
  /** The path a `use()` layer was mounted at (`'/'` when none was given). */
  rawPath?: unknown;
  /** True for a `use()` layer mounted at the root. */
  slash?: boolean;
}

function stackOf(handle: unknown): RouterLayer[] | undefined {
  const stack = (handle as { stack?: unknown } | undefined)?.stack;
  return Array.isArray(stack) ? (stack as RouterLayer[]) : undefined;
}

function pathsOf(path: unknown): string[] {
  if (typeof path === 'string') return [path];
  if (Array.isArray(path)) return path.flatMap(pathsOf);
  // A RegExp route cannot be turned into a request path; listing it as its source still shows it exists.
  return path instanceof RegExp ? [`regexp:${path.source}`] : [];
}

function join(prefix: string, path: string): string {
  if (path.startsWith('regexp:')) return path;
  const joined = `${prefix}/${path}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/**
 * Every (method, path) the app routes, read from express 5's router stack, through nested routers and their
 * mount paths. Middleware-only layers (guards, parsers) are not routes and are skipped.
 */
export function listAppRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.entries(layer.route.methods)
          .filter(([, on]) => on)
          .map(([method]) => (method === '_all' ? 'ALL' : method.toUpperCase()));
        for (const path of pathsOf(layer.route.path)) for (const method of methods) routes.push({ method, path: join(prefix, path) });
        continue;
      }
      const nested = stackOf(layer.handle);
      if (!nested) continue;
      const mounts = layer.slash ? [''] : pathsOf(layer.rawPath);
      for (const mount of mounts) walk(nested, join(prefix, mount));
    }
  };
  walk(stackOf((app as unknown as { router: unknown }).router) ?? [], '');
  const seen = new Set<string>();
  return routes.filter((route) => {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
