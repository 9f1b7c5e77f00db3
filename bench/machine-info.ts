import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  date: string;
  loadAverage: string;
}

export function readMachineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadAverage: os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
  };
}

/** Busy and total jiffies of all CPUs so far (from /proc/stat). */
export function readCpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Milliseconds of CPU time (all cores, all processes) spent between two readings. */
export function busyMs(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  return ((after.busy - before.busy) * 1000) / CLOCK_TICKS_PER_SECOND;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** Share of the machine's CPU in use between two readings, 0..1. */
export function busyShare(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

/** How busy the machine is before the bench starts anything: other work here distorts every number. */
export async function sampleBackgroundLoad(ms: number): Promise<number> {
  const before = readCpuTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyShare(before, readCpuTicks());
}

/**
 * CPU milliseconds Postgres has used so far: every live `postgres` process (the server and its backends),
 * plus what the server's exited children used (cutime/cstime of the postmaster), so a backend that ends
 * between two readings still counts.
 */
export function readPostgresCpuMs(): number {
  const processes = new Map<string, { ppid: string; own: number; children: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      // Fields after the parenthesised name: state, ppid, …, utime (12th), stime, cutime, cstime.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(entry, {
        ppid: fields[1]!,
        own: Number(fields[11]) + Number(fields[12]),
        children: Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  let ticks = 0;
  for (const process of processes.values()) {
    ticks += process.own;
    if (!processes.has(process.ppid)) ticks += process.children;
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
