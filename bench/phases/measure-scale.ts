/**
 * Scale-out: N API processes (ROLE=api) and M worker processes (ROLE=worker) against one Postgres, the same
 * 50 connections spread over the API processes. On this 2-core machine Postgres, the processes and the load
 * generator share the cores, so the curve shows where the one database, not a Node process, is the limit:
 * the share of the machine's CPU that Postgres takes per request, and whether the workers keep up.
 */
import type { BenchPostgres } from '../bench-postgres.ts';
import { median, runClosedLoop, type LoadTarget } from '../load.ts';
import { busyMs, busyShare, readCpuTicks, readPostgresCpuMs } from '../machine-info.ts';
import { startLeadline, startLeadlineWorker } from '../start-leadline.ts';
import type { Service } from '../start-service.ts';

export interface ScalePoint {
  apiProcesses: number;
  workerProcesses: number;
  requestsPerSecond: number;
  errors: number;
  /** CPU per request: Postgres's, and the whole machine's (Postgres, Leadline, the load generator). */
  postgresCpuMsPerRequest: number;
  machineCpuMsPerRequest: number;
  machineBusy: number;
  /** After a round, until the workers had delivered every lead of it (median). */
  workersCaughtUpMs: number;
  peakRssBytes: number;
}

export async function measureScale(options: {
  postgres: BenchPostgres;
  workDir: string;
  shapes: { api: number; workers: number }[];
  connections: number;
  seconds: number;
  rounds: number;
  target: (url: string) => LoadTarget;
  /** Waits until every lead in `databaseUrl` was delivered; returns how long that took. */
  settle: (databaseUrl: string) => Promise<number>;
  log: (line: string) => void;
}): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const shape of options.shapes) {
    const label = `${shape.api}x${shape.workers}`;
    const databaseUrl = await options.postgres.createDatabase(`scale${label}`);
    const services: Service[] = [];
    try {
      for (let index = 0; index < shape.workers; index++)
        services.push(await startLeadlineWorker({ name: `scale${label}-worker${index + 1}`, databaseUrl, workDir: options.workDir }));
      const apis: Service[] = [];
      for (let index = 0; index < shape.api; index++)
        apis.push(
          await startLeadline({ name: `scale${label}-api${index + 1}`, databaseUrl, workDir: options.workDir, env: { ROLE: 'api' } }),
        );
      services.push(...apis);
      const connectionsEach = Math.max(1, Math.round(options.connections / shape.api));
      const runAll = (seconds: number) => Promise.all(apis.map((api) => runClosedLoop(options.target(api.url), connectionsEach, seconds)));
      await runAll(2);
      await options.settle(databaseUrl);
      const rates: number[] = [];
      const postgresPerRequest: number[] = [];
      const machinePerRequest: number[] = [];
      const busy: number[] = [];
      const caughtUp: number[] = [];
      let errors = 0;
      for (let round = 0; round < options.rounds; round++) {
        const ticksBefore = readCpuTicks();
        const postgresBefore = readPostgresCpuMs();
        const results = await runAll(options.seconds);
        const ticksAfter = readCpuTicks();
        const ok = results.reduce((sum, result) => sum + result.ok, 0);
        rates.push(results.reduce((sum, result) => sum + result.requestsPerSecond, 0));
        postgresPerRequest.push((readPostgresCpuMs() - postgresBefore) / ok);
        machinePerRequest.push(busyMs(ticksBefore, ticksAfter) / ok);
        busy.push(busyShare(ticksBefore, ticksAfter));
        errors += results.reduce((sum, result) => sum + result.errors + result.non2xx, 0);
        caughtUp.push(await options.settle(databaseUrl));
      }
      const point: ScalePoint = {
        apiProcesses: shape.api,
        workerProcesses: shape.workers,
        requestsPerSecond: median(rates),
        errors,
        postgresCpuMsPerRequest: median(postgresPerRequest),
        machineCpuMsPerRequest: median(machinePerRequest),
        machineBusy: median(busy),
        workersCaughtUpMs: median(caughtUp),
        peakRssBytes: Math.max(...services.map((service) => service.memory().peakBytes)),
      };
      points.push(point);
      options.log(
        `  ${shape.api} API × ${shape.workers} worker processes (${connectionsEach} connections each): ${point.requestsPerSecond.toFixed(0)} req/s, errors ${errors}, ` +
          `Postgres ${point.postgresCpuMsPerRequest.toFixed(2)} ms CPU per request, machine ${(point.machineBusy * 100).toFixed(0)}% busy, ` +
          `workers caught up ${(point.workersCaughtUpMs / 1000).toFixed(1)} s after a round`,
      );
    } finally {
      await Promise.all(services.map((service) => service.stop()));
    }
  }
  return points;
}
