import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { startLeadline, type Leadline, type StartOverrides } from '../../src/main.ts';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

/**
 * Starts a whole Leadline (all roles unless ROLE says otherwise) in this process against `databaseUrl`,
 * listening on a free loopback port. `env` holds the same variables a user would set.
 */
export async function startTestLeadline(
  databaseUrl: string,
  env: Record<string, string> = {},
  overrides: StartOverrides = {},
): Promise<Leadline & { url: string }> {
  // A home of its own (spool, keys) unless the test shares one on purpose: a spool in ./.leadline shared by
  // test files would write one file's spooled leads into another file's database.
  const home = env['LEADLINE_HOME'] === undefined ? mkdtempSync(path.join(os.tmpdir(), 'leadline-test-home-')) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    RELAY_POLL_INTERVAL: '200ms',
    DATABASE_POOL_SIZE: '6',
    // In-process tests reach the relay and workers through the returned Leadline; the thread is tested by spawning.
    WORKER_THREAD: 'false',
    ...(home ? { LEADLINE_HOME: home } : {}),
    ...env,
  });
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, destination: process.stderr });
  let leadline: Leadline;
  try {
    leadline = await startLeadline(config, { ...overrides, logger });
  } catch (error) {
    if (home) rmSync(home, { recursive: true, force: true });
    throw error;
  }
  if (!home) return leadline as Leadline & { url: string };
  const stop = leadline.stop;
  return Object.assign(leadline, {
    stop: async () => {
      await stop();
      rmSync(home, { recursive: true, force: true });
    },
  }) as Leadline & { url: string };
}

/** Polls `condition` every 25 ms until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => Promise<T> | T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function adminHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...extra };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
