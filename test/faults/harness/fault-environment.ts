/**
 * What every fault test file sets up: the fault slot, its own PostgreSQL, the three stub providers, and
 * Leadline as users run it (`node src/main.ts`, a separate process) with a home directory of its own (so its
 * spool is not the checkout's) on a fixed port (so a restart answers where clients already send).
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, onTestFailed } from 'vitest';
import { spawnLeadline, type SpawnedLeadline } from '../../helpers/spawn-leadline.ts';
import { startSlackStub, type SlackStub } from '../../stubs/start-slack-stub.ts';
import { startSmtpStub, type SmtpStub } from '../../stubs/start-smtp-stub.ts';
import { startTelegramStub, type TelegramStub } from '../../stubs/start-telegram-stub.ts';
import { collectReceipts, type Receipt } from './checker.ts';
import { acquireFaultSlot, FAULT_SLOT_TIMEOUT_MS } from './fault-slot.ts';
import { startFaultPostgres, type FaultPostgres } from './postgres-control.ts';

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Stubs {
  slack: SlackStub;
  smtp: SmtpStub;
  telegram: TelegramStub;
  receipts(): Receipt[];
  close(): Promise<void>;
}

export async function startStubs(): Promise<Stubs> {
  const [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
  return {
    slack,
    smtp,
    telegram,
    receipts: () => collectReceipts({ slack, smtp, telegram }),
    close: async () => {
      await Promise.all([slack.close(), smtp.close(), telegram.close()]);
    },
  };
}

/** The variables that send alerts to the stubs; pacing stays at the product defaults unless overridden. */
export function channelEnv(stubs: Stubs): Record<string, string> {
  return {
    SLACK_WEBHOOK_URL: stubs.slack.url,
    EMAIL_HOST: stubs.smtp.host,
    EMAIL_PORT: String(stubs.smtp.port),
    EMAIL_FROM: 'leads@example.com',
    LEAD_ALERT_EMAIL: 'team@example.com',
    TELEGRAM_BOT_TOKEN: stubs.telegram.token,
    TELEGRAM_CHAT_ID: '777',
    TELEGRAM_API_ROOT: stubs.telegram.apiRoot,
  };
}

/**
 * The same with Slack and Telegram pacing off. At the default 1 s pace a Telegram chat carries at most 20 leads
 * a second (one summary of 20) and Slack 50, so under a 50/s load the backlog after a fault would be set by
 * the pace, not by the fault. Tests that measure catch-up under load use this.
 */
export function unpacedChannelEnv(stubs: Stubs): Record<string, string> {
  return { ...channelEnv(stubs), SLACK_MIN_INTERVAL: '0', TELEGRAM_MIN_INTERVAL: '0' };
}

export interface FaultService {
  readonly url: string;
  readonly port: number;
  readonly home: string;
  /** The process running now (the last one started). */
  readonly current: SpawnedLeadline | undefined;
  /** Starts (or restarts) Leadline on the same port and home; resolves with `Date.now()` once it is up. */
  start(extraEnv?: Record<string, string>): Promise<number>;
  /** Kills the current process and waits for it to exit; resolves with its exit code or signal. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** When the current process ended without us killing it: how (`exit 1`, `SIGKILL`). */
  unexpectedExit(): string | undefined;
  /** The tail of each started process's output, oldest process first, for failure messages. */
  outputTail(chars?: number): string;
}

export interface FaultEnvironment {
  readonly pg: FaultPostgres;
  readonly stubs: Stubs;
  /** A Leadline service against `databaseUrl` (default: this file's PostgreSQL) with `env` on top of the base. */
  service(env?: Record<string, string>, databaseUrl?: string): Promise<FaultService>;
}

/** The environment a user runs, minus what the test sets: real pacing, default poll interval and pool size. */
function baseEnv(databaseUrl: string, home: string, port: number): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LEADLINE_HOME: home,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RELAY_POLL_INTERVAL: '1s',
    DATABASE_POOL_SIZE: '10',
    LOG_LEVEL: 'info',
  };
}

/**
 * Registers the file's setup and teardown; the returned object is usable inside tests. Leadline processes
 * are SIGKILLed at the end; when a test fails, the tail of their output is printed.
 */
export function useFaultEnvironment(options: { stubs?: boolean } = {}): FaultEnvironment {
  let pg: FaultPostgres | undefined;
  let stubs: Stubs | undefined;
  let release: (() => Promise<void>) | undefined;
  const homes: string[] = [];
  const processes: SpawnedLeadline[] = [];

  beforeAll(async () => {
    release = await acquireFaultSlot();
    pg = await startFaultPostgres();
    if (options.stubs !== false) stubs = await startStubs();
  }, FAULT_SLOT_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    for (const child of processes) if (child.process.exitCode === null && child.process.signalCode === null) child.kill('SIGKILL');
    await Promise.all(processes.map((child) => child.exited));
    await stubs?.close();
    await pg?.destroy();
    for (const home of homes) await rm(home, { recursive: true, force: true });
    await release?.();
  }, 60_000);

  const environment: FaultEnvironment = {
    get pg() {
      if (!pg) throw new Error('the fault environment is not set up yet (use it inside a test)');
      return pg;
    },
    get stubs() {
      if (!stubs) throw new Error('this fault environment has no stubs');
      return stubs;
    },
    async service(env = {}, databaseUrl) {
      const home = await mkdtemp(path.join(os.tmpdir(), 'leadline-fault-home-'));
      homes.push(home);
      const port = await findFreePort();
      const started: SpawnedLeadline[] = [];
      let current: SpawnedLeadline | undefined;
      let killing = false;
      const outputTail = (chars = 4000) =>
        started.map((child, index) => `--- process ${index + 1} ---\n${child.output().slice(-chars)}`).join('\n');
      try {
        onTestFailed(() => {
          process.stderr.write(`\nLeadline output (home ${home}):\n${outputTail()}\n`);
          // FAULT_OUTPUT_DIR=/some/dir keeps every process's whole output of a failed test, for a closer look.
          const keepDir = process.env['FAULT_OUTPUT_DIR'];
          if (keepDir) {
            for (const [index, child] of started.entries()) {
              writeFileSync(path.join(keepDir, `${path.basename(home)}-process-${index + 1}.log`), child.output());
            }
            process.stderr.write(`(whole output in ${keepDir})\n`);
          }
        });
      } catch {
        // called outside a test (a hook): no failure report to attach to
      }
      const service: FaultService = {
        url: `http://127.0.0.1:${port}`,
        port,
        home,
        get current() {
          return current;
        },
        async start(extraEnv = {}) {
          if (current && current.process.exitCode === null && current.process.signalCode === null) {
            throw new Error('the service is still running; kill it before starting it again');
          }
          killing = false;
          current = await spawnLeadline({ ...baseEnv(databaseUrl ?? environment.pg.url, home, port), ...env, ...extraEnv }, 60_000);
          started.push(current);
          processes.push(current);
          return Date.now();
        },
        async kill(signal = 'SIGKILL') {
          if (!current) throw new Error('nothing to kill');
          killing = true;
          current.kill(signal);
          return current.exited;
        },
        unexpectedExit() {
          if (!current || killing) return undefined;
          const { exitCode, signalCode } = current.process;
          if (exitCode !== null) return `exit ${exitCode}`;
          if (signalCode !== null) return signalCode;
          return undefined;
        },
        outputTail,
      };
      return service;
    },
  };
  return environment;
}

/** Resolves with how the process ended, or undefined if it is still running after `timeoutMs`. */
export async function exitWithin(child: SpawnedLeadline, timeoutMs: number): Promise<number | string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
