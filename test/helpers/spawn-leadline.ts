import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childProcessEnv } from './child-process-env.ts';
import { TEST_ADMIN_KEY } from './start-test-leadline.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface SpawnedLeadline {
  process: ChildProcess;
  /** Base URL when the process runs the API role. */
  url: string | undefined;
  output: () => string;
  /** The two streams apart (`output` interleaves them), for tests that read the log line by line. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** The environment spawnLeadline gives the process: test defaults, `env` on top, and loopback-only network. */
export function leadlineProcessEnv(env: Record<string, string>): Record<string, string> {
  return childProcessEnv({
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    RELAY_POLL_INTERVAL: '200ms',
    DATABASE_POOL_SIZE: '6',
    ...env,
  });
}

/**
 * Runs `node src/main.ts` as a real separate process (its own pool, relay, workers), the way an operator
 * runs several processes against one database. Resolves once it logged that it is running.
 */
export async function spawnLeadline(env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnedLeadline> {
  const child = spawn(process.execPath, [MAIN], { env: leadlineProcessEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  let stderr = '';
  // Decoded as streams, so a character split across two chunks is not mangled.
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));

  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`leadline did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const api = /Leadline is running at (http:\/\/[^\s"]+)/.exec(output);
      if (api) return done(api[1]);
      if (/Leadline worker running/.test(output)) return done(undefined);
    };
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(value);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`leadline exited with ${code} before it was ready:\n${output}`));
    });
  });

  return {
    process: child,
    url,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}
