/**
 * Capture throughput at 50 connections, closed loop, the services taking turns (A B A B …) so slow drifts of
 * the machine (fsync stalls, other work) hit each of them alike. A service whose workers still have a backlog
 * after its turn gets to finish it before the next turn starts, so it never runs beside another's turn.
 */
import { busyMs, busyShare, readCpuTicks } from '../machine-info.ts';
import { median, percentile, runClosedLoop, type LoadTarget } from '../load.ts';
import type { Service } from '../start-service.ts';

export interface ThroughputContender {
  label: string;
  service: Service;
  target: LoadTarget;
  /** Waits until the service's background work caused by the turn is done; returns how long it took. */
  settle?: () => Promise<number>;
}

export interface ThroughputRun {
  requestsPerSecond: number;
  ok: number;
  errors: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** CPU of the whole machine (Postgres, the load generator, anything else running) per request. */
  machineCpuMsPerRequest: number;
  machineBusy: number;
  settleMs: number | undefined;
}

export interface ThroughputResult {
  label: string;
  runs: ThroughputRun[];
  medianRequestsPerSecond: number;
  errors: number;
  non2xx: number;
  medianCpuMsPerRequest: number;
  medianMachineCpuMsPerRequest: number;
  medianSettleMs: number | undefined;
}

export async function measureThroughput(options: {
  contenders: ThroughputContender[];
  connections: number;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  log: (line: string) => void;
}): Promise<ThroughputResult[]> {
  const runs = new Map<string, ThroughputRun[]>(options.contenders.map((contender) => [contender.label, []]));

  for (const contender of options.contenders) {
    options.log(`  warm-up ${contender.label} (${options.warmupSeconds} s)`);
    await runClosedLoop(contender.target, options.connections, options.warmupSeconds);
    if (contender.settle) await contender.settle();
  }

  for (let round = 1; round <= options.rounds; round++) {
    for (const contender of options.contenders) {
      const cpuBefore = contender.service.cpuMs();
      const ticksBefore = readCpuTicks();
      const result = await runClosedLoop(contender.target, options.connections, options.seconds);
      const ticksAfter = readCpuTicks();
      const machineBusy = busyShare(ticksBefore, ticksAfter);
      const cpuMs = contender.service.cpuMs() - cpuBefore;
      const settleMs = contender.settle ? await contender.settle() : undefined;
      const run: ThroughputRun = {
        requestsPerSecond: result.requestsPerSecond,
        ok: result.ok,
        errors: result.errors,
        non2xx: result.non2xx,
        p50Ms: percentile(result.latenciesMs, 50),
        p99Ms: percentile(result.latenciesMs, 99),
        cpuMsPerRequest: result.ok > 0 ? cpuMs / result.ok : Number.NaN,
        machineCpuMsPerRequest: result.ok > 0 ? busyMs(ticksBefore, ticksAfter) / result.ok : Number.NaN,
        machineBusy,
        settleMs,
      };
      runs.get(contender.label)!.push(run);
      options.log(
        `  round ${round}/${options.rounds} ${contender.label.padEnd(22)} ${run.requestsPerSecond.toFixed(0).padStart(5)} req/s` +
          `  errors ${run.errors + run.non2xx}  p50 ${run.p50Ms.toFixed(1)} ms  p99 ${run.p99Ms.toFixed(1)} ms` +
          `  CPU ${run.cpuMsPerRequest.toFixed(2)} ms/req (machine ${run.machineCpuMsPerRequest.toFixed(2)}, ${(machineBusy * 100).toFixed(0)}% busy)` +
          (settleMs === undefined ? '' : `  workers caught up ${(settleMs / 1000).toFixed(1)} s later`),
      );
    }
  }

  return options.contenders.map((contender) => {
    const list = runs.get(contender.label)!;
    const settles = list.map((run) => run.settleMs).filter((value): value is number => value !== undefined);
    return {
      label: contender.label,
      runs: list,
      medianRequestsPerSecond: median(list.map((run) => run.requestsPerSecond)),
      errors: list.reduce((sum, run) => sum + run.errors, 0),
      non2xx: list.reduce((sum, run) => sum + run.non2xx, 0),
      medianCpuMsPerRequest: median(list.map((run) => run.cpuMsPerRequest)),
      medianMachineCpuMsPerRequest: median(list.map((run) => run.machineCpuMsPerRequest)),
      medianSettleMs: settles.length > 0 ? median(settles) : undefined,
    };
  });
}
