/**
 * The container's HEALTHCHECK: exits 0 when `/health/ready` answers 200 (ready or degraded), 1 otherwise.
 * A `ROLE=worker` process has no API listener and answers on METRICS_PORT; every other role on PORT.
 * Bounded: a process that does not answer within 4 s counts as unhealthy.
 */
const TIMEOUT_MS = 4_000;

const port = process.env['ROLE'] === 'worker' ? process.env['METRICS_PORT'] : (process.env['PORT'] ?? '3000');
if (!port) {
  process.stderr.write('healthcheck: a ROLE=worker container needs METRICS_PORT to be probed\n');
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) process.stderr.write(`healthcheck: /health/ready answered ${response.status}\n`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`healthcheck: /health/ready did not answer: ${(error as Error).message}\n`);
  process.exit(1);
}
