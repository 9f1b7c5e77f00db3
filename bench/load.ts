/**
 * Load through autocannon's programmatic API. Latencies are taken from autocannon's per-response event
 * (exact, sub-millisecond) rather than its histogram, which records whole milliseconds.
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';

export interface LoadTarget {
  url: string;
  path: string;
  /** The body of the n-th request (each must be unique so none is a double submit). */
  body: (serial: number) => string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  durationSeconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requestsPerSecond: number;
  latenciesMs: number[];
  statusCodes: Record<string, number>;
}

let serial = 0;

function requestsFor(target: LoadTarget): AutocannonRequest[] {
  return [
    {
      method: 'POST',
      path: target.path,
      headers: { 'content-type': 'application/json', ...target.headers },
      setupRequest: (request) => ({ ...request, body: target.body(++serial) }),
    },
  ];
}

function collect(results: AutocannonResult[], latenciesMs: number[], durationSeconds: number): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const result of results)
    for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const ok = results.reduce((sum, result) => sum + result['2xx'], 0);
  return {
    durationSeconds,
    ok,
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    requestsPerSecond: ok / durationSeconds,
    latenciesMs,
    statusCodes,
  };
}

/** Closed loop: `connections` clients each send the next request as soon as the last one is answered. */
export async function runClosedLoop(target: LoadTarget, connections: number, durationSeconds: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const instance = autocannon({ url: target.url, connections, duration: durationSeconds, timeout: 10, requests: requestsFor(target) });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latenciesMs.push(ms);
  });
  const started = performance.now();
  const result = await instance;
  return collect([result], latenciesMs, (performance.now() - started) / 1000);
}

/** A fixed number of requests as fast as `connections` clients can send them (to fill a queue). */
export async function runAmount(target: LoadTarget, connections: number, amount: number): Promise<LoadResult> {
  const started = performance.now();
  const result = await autocannon({ url: target.url, connections, amount, timeout: 10, requests: requestsFor(target) });
  return collect([result], [], (performance.now() - started) / 1000);
}

/**
 * A steady rate, open-loop as far as autocannon allows. autocannon's own rate limit sends each connection's
 * quota for the second back to back at the start of the second, so one connection at 500/s would arrive as
 * bursts. Instead `streams` single-connection instances each send rate/streams per second, their starts
 * spread evenly over one second: arrivals are spread out and at most a few requests are in flight at once.
 */
export async function runSteadyRate(
  target: LoadTarget,
  ratePerSecond: number,
  durationSeconds: number,
  streams = Math.min(100, ratePerSecond),
): Promise<LoadResult> {
  const perStream = ratePerSecond / streams;
  if (!Number.isInteger(perStream)) throw new Error(`rate ${ratePerSecond}/s must be a multiple of ${streams} streams`);
  const latenciesMs: number[] = [];
  const runs: Promise<AutocannonResult>[] = [];
  const started = performance.now();
  for (let index = 0; index < streams; index++) {
    const delayMs = (index * 1000) / streams;
    runs.push(
      new Promise<AutocannonResult>((resolve, reject) => {
        setTimeout(() => {
          const instance = autocannon({
            url: target.url,
            connections: 1,
            connectionRate: perStream,
            duration: durationSeconds,
            timeout: 10,
            requests: requestsFor(target),
          });
          instance.on('response', (_client, status, _bytes, ms) => {
            if (status >= 200 && status < 300) latenciesMs.push(ms);
          });
          void instance.then(resolve, reject);
        }, delayMs);
      }),
    );
  }
  const results = await Promise.all(runs);
  // Each stream ran `durationSeconds`; the spread of their starts adds up to one second of wall time.
  const elapsed = (performance.now() - started) / 1000;
  return collect(results, latenciesMs, Math.min(elapsed, durationSeconds));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
