import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startService, type Service } from './start-service.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/**
 * `node src/main.ts` as a user runs it in production (NODE_ENV=production, LOG_LEVEL=info, default pool
 * sizes), with the rate limit lifted: every request of the bench comes from 127.0.0.1.
 */
export function startLeadline(options: { name: string; databaseUrl: string; workDir: string; env?: Record<string, string> }): Promise<Service> {
  return startService({
    name: options.name,
    script: MAIN,
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
  const response = await fetch(`${service.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' }, body: '{}' });
  if (!response.ok) throw new Error(`${route} answered ${response.status}: ${await response.text()}`);
}
