import express, { type Router } from 'express';

/** A named readiness check; resolves when healthy, throws with a reason a human can act on. */
export type HealthCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: HealthCheck): Promise<{ ok: boolean; error?: string; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` is liveness (the process answers); `/health/ready` runs every check and is 503 when any fails;
 * `/health/<name>` runs one.
 */
/** Checks a user may ask for by name even when that part is not configured (answered as `not_configured`). */
const KNOWN_CHECKS = ['db', 'queue', 'slack', 'email', 'telegram', 'meta'];

export function healthRoutes(checks: Record<string, HealthCheck>, isShuttingDown: () => boolean): Router {
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime_seconds: Math.round(process.uptime()) });
  });
  router.get('/health/ready', async (_req, res) => {
    const entries = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const));
    const results = Object.fromEntries(entries);
    const ok = !isShuttingDown() && entries.every(([, result]) => result.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : isShuttingDown() ? 'shutting down' : 'not ready', checks: results });
  });
  router.get('/health/:check', async (req, res) => {
    const check = checks[req.params.check];
    if (!check && KNOWN_CHECKS.includes(req.params.check)) {
      res.json({ status: 'not_configured', detail: `${req.params.check} is not configured; see the configuration table in the README` });
      return;
    }
    if (!check) {
      res.status(404).type('application/problem+json').send(JSON.stringify({
        type: 'https://leadline.dev/problems/not-found', title: 'Not found', status: 404,
        detail: `no health check named ${req.params.check}; known: ${Object.keys(checks).join(', ')}`,
      }));
      return;
    }
    const result = await runCheck(check);
    res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ok' : 'failing', ...result });
  });
  return router;
}
