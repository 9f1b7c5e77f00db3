/**
 * Capture latency at a steady rate below saturation (at saturation latency is only queueing: connections ÷
 * throughput). Single runs are noisy because the disk's fsync stalls now and then (raw fdatasync p99.9 reaches 70 ms on this disk), so each
 * contender runs several times, taking turns, and the medians of the runs' p50 and p99 are reported.
 */
import { median, percentile, runSteadyRate } from '../load.ts';
import type { ThroughputContender } from './measure-throughput.ts';

export interface LatencyRun {
  requestsPerSecond: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Lead → alert (capture to the log channel's accept) for the run's leads, when the contender has workers. */
  pipeline?: PipelineLatency | undefined;
}

/** From a lead's `created_at` to its alert's `finished_at` (sent), over the leads of one run. */
export interface PipelineLatency {
  leads: number;
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyResult {
  label: string;
  runs: LatencyRun[];
  medianP50Ms: number;
  medianP99Ms: number;
  /** Median over the runs of the pipeline's p99 (lead → alert), when measured. */
  medianPipelineP99Ms: number | undefined;
  errors: number;
}

export async function measureLatency(options: {
  contenders: (ThroughputContender & { pipelineLatency?: (sinceMs: number) => Promise<PipelineLatency> })[];
  ratePerSecond: number;
  runs: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<LatencyResult[]> {
  const runs = new Map<string, LatencyRun[]>(options.contenders.map((contender) => [contender.label, []]));
  for (let index = 1; index <= options.runs; index++) {
    for (const contender of options.contenders) {
      const runStartedAt = Date.now();
      const result = await runSteadyRate(contender.target, options.ratePerSecond, options.seconds);
      const run: LatencyRun = {
        requestsPerSecond: result.requestsPerSecond,
        ok: result.ok,
        errors: result.errors + result.non2xx,
        p50Ms: percentile(result.latenciesMs, 50),
        p99Ms: percentile(result.latenciesMs, 99),
        maxMs: percentile(result.latenciesMs, 100),
      };
      runs.get(contender.label)!.push(run);
      const settleMs = contender.settle ? await contender.settle() : undefined;
      // After the settle every lead of the run has its alert, so the figure covers all of them.
      if (contender.pipelineLatency) run.pipeline = await contender.pipelineLatency(runStartedAt);
      options.log(
        `  run ${index}/${options.runs} ${contender.label.padEnd(22)} ${run.requestsPerSecond.toFixed(0).padStart(4)} req/s  p50 ${run.p50Ms.toFixed(2)} ms` +
          `  p99 ${run.p99Ms.toFixed(2)} ms  max ${run.maxMs.toFixed(0)} ms  errors ${run.errors}` +
          (settleMs === undefined ? '' : `  workers caught up ${(settleMs / 1000).toFixed(1)} s later`) +
          (run.pipeline
            ? `  lead → alert p50 ${run.pipeline.p50Ms.toFixed(0)} ms p99 ${run.pipeline.p99Ms.toFixed(0)} ms (${run.pipeline.delivered}/${run.pipeline.leads})`
            : ''),
      );
    }
  }
  return options.contenders.map((contender) => {
    const list = runs.get(contender.label)!;
    return {
      label: contender.label,
      runs: list,
      medianP50Ms: median(list.map((run) => run.p50Ms)),
      medianP99Ms: median(list.map((run) => run.p99Ms)),
      medianPipelineP99Ms: list.every((run) => run.pipeline) ? median(list.map((run) => run.pipeline!.p99Ms)) : undefined,
      errors: list.reduce((sum, run) => sum + run.errors, 0),
    };
  });
}
