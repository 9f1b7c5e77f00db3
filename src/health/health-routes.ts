import express, { type Request, type Router } from 'express';

/** A named readiness check; resolves when healthy, throws with a reason a human can act on. */
export type HealthCheck = () => Promise<void>;

/**
 * What a failing check means for this process: `failing` (it cannot do its job: /health/ready answers 503)
 * or `degraded` (it still captures; a provider or Meta is down, or the database is away while the spool
 * takes leads). A function decides at the time of the probe.
 */
export type FailureImpact = 'failing' | 'degraded' | ((error: Error) => 'failing' | 'degraded');

export interface ReadinessCheck {
  run: HealthCheck;
  whenFailing: FailureImpact;
}

export interface HealthDeps {
  checks: Record<string, ReadinessCheck>;
  isShuttingDown: () => boolean;
  /** True for a request that carries the admin key: only then do answers include the error texts. */
  canSeeDetails: (req: Request) => boolean;
}

type CheckStatus = 'ok' | 'degraded' | 'failing';

interface CheckResult {
  status: CheckStatus;
  ms: number;
  /** The failure's message; only for callers with the admin key (error texts can name hosts and users). */
  detail?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Checks a user may ask for by name even when that part is not configured (answered as `not_configured`). */
const KNOWN_CHECKS = ['db', 'queue', 'spool', 'slack', 'email', 'telegram', 'meta'];

async function runCheck(check: ReadinessCheck): Promise<{ status: CheckStatus; ms: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.run(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', ms: Math.round(performance.now() - started) };
  } catch (error) {
    const impact = typeof check.whenFailing === 'function' ? check.whenFailing(error as Error) : check.whenFailing;
    return { status: impact, ms: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health` is liveness (the process answers). `/health/ready` is 200 while this process can do its job,
 * `degraded` when a part is down that capture does not need (a provider, Meta, or the database while the
 * spool takes leads), and 503 only when it cannot (database unreachable with no spool, queues missing), so a
 * provider outage never takes API instances out of a load balancer. `/health/<name>` runs one check and is
 * 503 while that part is down.
 * Public answers carry statuses and timings only; error texts need the admin key.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = express.Router();
  const present = (result: Awaited<ReturnType<typeof runCheck>>, req: Request): CheckResult => ({
    status: result.status,
    ms: result.ms,
    ...(result.error !== undefined && deps.canSeeDetails(req) ? { detail: result.error } : {}),
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime_seconds: Math.round(process.uptime()) });
  });

  router.get('/health/ready', async (req, res) => {
    const entries = await Promise.all(Object.entries(deps.checks).map(async ([name, check]) => [name, await runCheck(check)] as const));
    const failing = entries.some(([, result]) => result.status === 'failing');
    const degraded = entries.some(([, result]) => result.status === 'degraded');
    const status = deps.isShuttingDown() ? 'shutting down' : failing ? 'not ready' : degraded ? 'degraded' : 'ready';
    res
      .status(status === 'ready' || status === 'degraded' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status, checks: Object.fromEntries(entries.map(([name, result]) => [name, present(result, req)])) });
  });

  router.get('/health/:check', async (req, res) => {
    const check = deps.checks[req.params.check];
    if (!check && KNOWN_CHECKS.includes(req.params.check)) {
      res.json({ status: 'not_configured', detail: `${req.params.check} is not configured; see docs/configuration.md` });
      return;
    }
    if (!check) {
      res
        .status(404)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: 'https://leadline.dev/problems/not-found',
            title: 'Not found',
            status: 404,
            detail: `no health check named ${req.params.check}; known: ${Object.keys(deps.checks).join(', ')}`,
          }),
        );
      return;
    }
    // Asked by name, a part that is down is simply down (503), whatever it means for readiness.
    const result = await runCheck(check);
    const named = { ...result, status: result.error === undefined ? ('ok' as const) : ('failing' as const) };
    res
      .status(named.status === 'failing' ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json(present(named, req));
  });
  return router;
}
