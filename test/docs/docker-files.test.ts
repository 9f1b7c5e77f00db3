import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENT_VARIABLES } from '../../src/config/load-config.ts';
import { childProcessEnv } from '../helpers/child-process-env.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';

/*
 * Docker is not installed where the tests run, so the files are checked as text and YAML: what `docker compose
 * config` and a reviewer would look for. The HEALTHCHECK script runs for real against a running service.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const run = promisify(execFile);

type Service = {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number>;
  env_file?: { path: string; required?: boolean }[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
};
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = read('Dockerfile');
/** Dockerfile instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

describe('compose.yaml', () => {
  it('when parsed, then it runs postgres:17, one ROLE=api and one ROLE=worker service that wait for a healthy Postgres and read .env', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'worker']);
    expect(compose.services['postgres']!.image).toBe('postgres:17');
    expect(compose.services['postgres']!.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(compose.services['api']!.environment?.['ROLE']).toBe('api');
    expect(compose.services['worker']!.environment?.['ROLE']).toBe('worker');
    for (const name of ['api', 'worker']) {
      const service = compose.services[name]!;
      expect(service.build, name).toBeDefined();
      expect(
        service.env_file?.map((file) => file.path),
        name,
      ).toEqual(['.env']);
      expect(service.depends_on?.['postgres']?.condition, name).toBe('service_healthy');
      expect(String(service.environment?.['DATABASE_URL']), name).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    }
  });

  it('when the api service is read, then its spool directory is a named volume and it listens on all interfaces', () => {
    const api = compose.services['api']!;
    const spoolDir = String(api.environment?.['SPOOL_DIR']);
    const mount = api.volumes?.find((volume) => volume.endsWith(`:${spoolDir}`));
    expect(mount, `a volume mounted at SPOOL_DIR (${spoolDir})`).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(mount!.split(':')[0]);
    expect(api.environment?.['HOST']).toBe('0.0.0.0');
    expect(api.ports?.some((port) => port.endsWith(':3000'))).toBe(true);
  });

  it('when the worker service is read, then it serves /metrics and /health on METRICS_PORT, which the HEALTHCHECK probes', () => {
    expect(Number(compose.services['worker']!.environment?.['METRICS_PORT'])).toBeGreaterThan(0);
    expect(read('scripts/healthcheck.ts')).toMatch(/ROLE'\] === 'worker' \? process\.env\['METRICS_PORT'\]/);
  });

  it('when the Leadline services set variables, then each is one the config schema reads', () => {
    for (const name of ['api', 'worker']) {
      const unknown = Object.keys(compose.services[name]!.environment ?? {}).filter(
        (variable) => !ENVIRONMENT_VARIABLES.includes(variable),
      );
      expect(unknown, name).toEqual([]);
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('when read, then it builds in stages from node:24-slim, installs production dependencies only, and runs as a non-root user', () => {
    const stages = instructions.filter((line) => line.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:24-slim AS \w+$/);
    expect(instructions.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
    expect(instructions.some((line) => line.startsWith('COPY --from=deps /app/node_modules'))).toBe(true);
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('when read, then it listens on 0.0.0.0, keeps the spool in a volume, probes /health/ready and starts src/main.ts', () => {
    const env = instructions.find((line) => line.startsWith('ENV '))!;
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toMatch(/SPOOL_DIR=\/var\/lib\/leadline\/spool/);
    expect(instructions).toContain('VOLUME ["/var/lib/leadline"]');
    expect(instructions.find((line) => line.startsWith('HEALTHCHECK '))).toContain('scripts/healthcheck.ts');
    expect(read('scripts/healthcheck.ts')).toContain('/health/ready');
    expect(instructions.at(-1)).toMatch(/^CMD \[.*"src\/main\.ts"\]$/);
    for (const folder of ['src', 'migrations', 'scripts']) expect(instructions, folder).toContain(`COPY ${folder} ./${folder}`);
  });

  it('when .dockerignore is read, then secrets, local data and node_modules stay out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.env', '.leadline', 'node_modules', '.git']) expect(ignored, entry).toContain(entry);
  });

  it('when the runtime code imports a package, then it is a production dependency (npm ci --omit=dev installs it)', () => {
    const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const files = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
        const relative = path.join(dir, entry);
        if (statSync(path.join(ROOT, relative)).isDirectory()) return files(relative);
        return relative.endsWith('.ts') && !relative.endsWith('.test.ts') ? [relative] : [];
      });
    const missing = new Set<string>();
    for (const file of [...files('src'), 'scripts/migrate.ts', 'scripts/replay.ts', 'scripts/healthcheck.ts']) {
      for (const match of read(file).matchAll(/(?:from |import\()'([^.'][^']*)'/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!(name in manifest.dependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

const db = await createTestDatabase('docker_healthcheck');
const app = await startTestLeadline(db.url);
afterAll(async () => {
  await app.stop();
  await db.drop();
});

describe('the HEALTHCHECK script', () => {
  const probe = (env: Record<string, string>) =>
    run(process.execPath, [path.join(ROOT, 'scripts/healthcheck.ts')], {
      env: childProcessEnv({ PATH: process.env['PATH'], ...env }),
      timeout: 10_000,
    }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );

  it('when /health/ready answers 200 on PORT, then it exits 0; when nothing listens, then it exits 1', async () => {
    const port = new URL(app.url).port;
    expect(await probe({ PORT: port })).toBe(0);
    expect(await probe({ PORT: '9' })).toBe(1);
  });

  it('when ROLE=worker, then it probes METRICS_PORT, and fails without one', async () => {
    expect(await probe({ ROLE: 'worker', METRICS_PORT: new URL(app.url).port })).toBe(0);
    expect(await probe({ ROLE: 'worker' })).toBe(1);
  });
});
