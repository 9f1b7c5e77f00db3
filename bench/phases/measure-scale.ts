/**
 * The scale curve: 1, 2 and 4 API processes (ROLE=api) against one Postgres, the same 50 connections spread
 * over them. On this 2-core machine Postgres and the API processes share the cores, so the curve shows where
 * the single database, not the Node process, becomes the limit.
 */
import type { BenchPostgres } from '../bench-postgres.ts';
import { median, runClosedLoop, type LoadTarget } from '../load.ts';
import { startLeadline } from '../start-leadline.ts';
import type { Service } from '../start-service.ts';

export interface ScalePoint {
  processes: number;
  requestsPerSecond: number;
  errors: number;
  peakRssBytes: number;
}

export async function measureScale(options: {
  postgres: BenchPostgres;
  workDir: string;
  processCounts: number[];
  connections: number;
  seconds: number;
  rounds: number;
  target: (url: string) => LoadTarget;
  log: (line: string) => void;
}): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const processes of options.processCounts) {
    const databaseUrl = await options.postgres.createDatabase(`scale${processes}`);
    const services: Service[] = [];
    try {
      for (let index = 0; index < processes; index++) {
        services.push(
          await startLeadline({ name: `scale${processes}-api${index + 1}`, databaseUrl, workDir: options.workDir, env: { ROLE: 'api' } }),
        );
      }
      const connectionsEach = Math.max(1, Math.round(options.connections / processes));
      const runAll = (seconds: number) =>
        Promise.all(services.map((service) => runClosedLoop(options.target(service.url), connectionsEach, seconds)));
      await runAll(2);
      const rates: number[] = [];
      let errors = 0;
      for (let round = 0; round < options.rounds; round++) {
        const results = await runAll(options.seconds);
        rates.push(results.reduce((sum, result) => sum + result.requestsPerSecond, 0));
        errors += results.reduce((sum, result) => sum + result.errors + result.non2xx, 0);
      }
      const point = {
        processes,
        requestsPerSecond: median(rates),
        errors,
        peakRssBytes: Math.max(...services.map((service) => service.memory().peakBytes)),
      };
      points.push(point);
      options.log(
        `  ${processes} API process${processes === 1 ? '' : 'es'} (${connectionsEach} connections each): ${point.requestsPerSecond.toFixed(0)} req/s, errors ${errors}`,
      );
    } finally {
      await Promise.all(services.map((service) => service.stop()));
    }
  }
  return points;
}
