import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startService, type Service } from './start-service.ts';

/** BENCH_LEADLINE_MAIN runs another checkout's `src/main.ts` (to compare a change side by side). */
const MAIN = process.env['BENCH_LEADLINE_MAIN'] ?? fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * The Node flags of `npm start` (`node [flags] src/main.ts`), so the bench runs Leadline exactly as users
 * start it, e.g. with a V8 heap setting added there. BENCH_LEADLINE_NODE_FLAGS overrides them.
 */
export function startScriptNodeFlags(): string[] {
  const override = process.env['BENCH_LEADLINE_NODE_FLAGS'];
  if (override !== undefined) return override.split(/\s+/).filter((word) => word !== '');
  const scripts = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const words = (scripts['start'] ?? '').trim().split(/\s+/);
  const main = words.indexOf('src/main.ts');
  return words[0] === 'node' && main > 0 ? words.slice(1, main) : [];
}
const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/**
 * `node src/main.ts` as a user runs it in production (NODE_ENV=production, LOG_LEVEL=info, default pool
 * sizes), with the rate limit lifted: every request of the bench comes from 127.0.0.1.
 */
export function startLeadline(options: {
  name: string;
  databaseUrl: string;
  workDir: string;
  env?: Record<string, string>;
}): Promise<Service> {
  return startService({
    name: options.name,
    script: MAIN,
    nodeFlags: startScriptNodeFlags(),
    logFile: path.join(options.workDir, `${options.name}.log`),
    ready: /Leadline is running at (http:\/\/[^\s"]+)/,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      ADMIN_API_KEY: BENCH_ADMIN_KEY,
      HOST: '127.0.0.1',
      PORT: '0',
      LEADLINE_HOME: path.join(options.workDir, `${options.name}-home`),
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...options.env,
    },
  });
}

/** A `ROLE=worker` process (relay, delivery workers, SLA monitor) with no listener; ready once it says so. */
export function startLeadlineWorker(options: {
  name: string;
  databaseUrl: string;
  workDir: string;
  env?: Record<string, string>;
}): Promise<Service> {
  return startService({
    name: options.name,
    script: MAIN,
    nodeFlags: startScriptNodeFlags(),
    logFile: path.join(options.workDir, `${options.name}.log`),
    ready: /Leadline worker (running)/,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      ROLE: 'worker',
      LEADLINE_HOME: path.join(options.workDir, `${options.name}-home`),
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
}

export function startBaseline(options: { databaseUrl: string; workDir: string; poolSize: number }): Promise<Service> {
  return startService({
    name: 'baseline',
    script: BASELINE,
    logFile: path.join(options.workDir, 'baseline.log'),
    ready: /baseline listening at (http:\/\/\S+)/,
    env: { NODE_ENV: 'production', DATABASE_URL: options.databaseUrl, POOL_SIZE: String(options.poolSize) },
  });
}

export async function adminPost(service: Service, route: string): Promise<void> {
  const response = await fetch(`${service.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`${route} answered ${response.status}: ${await response.text()}`);
}
