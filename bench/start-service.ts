/**
 * Runs a server (Leadline, the baseline) as its own process, so the load generator's CPU does not distort
 * it and its memory is its own. Output goes to a file, never to a pipe the bench would have to drain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Service {
  name: string;
  pid: number;
  url: string;
  logFile: string;
  /** Peak and current resident memory in bytes (VmHWM, VmRSS from /proc). */
  memory(): { peakBytes: number; currentBytes: number };
  /** User + system CPU time the process has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

export async function startService(options: {
  name: string;
  script: string;
  /** Node options before the script, e.g. `--max-semi-space-size=16`. */
  nodeFlags?: string[];
  env: Record<string, string>;
  logFile: string;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<Service> {
  const fd = openSync(options.logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), options.script], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exitCode: number | string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? -1;
      resolve();
    }),
  );

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let url: string | undefined;
  while (url === undefined) {
    const output = readFileSync(options.logFile, 'utf8');
    url = options.ready.exec(output)?.[1];
    if (url !== undefined) break;
    if (exitCode !== undefined)
      throw new Error(`${options.name} exited (${exitCode}) before it was ready; see ${options.logFile}:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms; see ${options.logFile}:\n${output.slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = child.pid!;

  return {
    name: options.name,
    pid,
    url,
    logFile: options.logFile,
    memory: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
      return { peakBytes: kb('VmHWM'), currentBytes: kb('VmRSS') };
    },
    cpuMs: () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    stop: async () => {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
