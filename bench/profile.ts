/**
 * `npm run bench:profile`: where the time goes in Leadline as `npm start` runs it (ROLE=all, every worker in
 * the process), at a steady capture rate. For each rate: a V8 CPU profile of the Leadline process (self
 * time by area), its event-loop delay and GC pauses (from its own prom-client metrics), and the Postgres
 * wait events of its backends (pg_stat_activity sampled every 50 ms). Writes bench/profile.md.
 *
 *   npm run bench:profile                 500 and 1,200 leads/s, 20 s each
 *   npm run bench:profile -- --rates 300  other rates (comma list)
 *   BENCH_PROFILE_ROLE=api                profile another configuration (api = the API without its workers)
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { openBenchPostgres } from './bench-postgres.ts';
import { leadBody } from './lead-body.ts';
import { median, percentile, runSteadyRate } from './load.ts';
import { readMachineInfo } from './machine-info.ts';
import { BENCH_ADMIN_KEY, startScriptNodeFlags } from './start-leadline.ts';
import { startService } from './start-service.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const OUTPUT = fileURLToPath(new URL('./profile.md', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const SECONDS = 20;

const ratesArg = process.argv.indexOf('--rates');
const RATES = ratesArg > 0 ? (process.argv[ratesArg + 1] ?? '').split(',').map(Number) : [500, 1200];
const ROLE = process.env['BENCH_PROFILE_ROLE'] ?? 'all';

const startedAt = performance.now();
const log = (line: string) => process.stdout.write(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Which part of the stack a sample's frame belongs to: a folder of src/, a package, Node itself, GC, idle. */
function areaOf(frame: { functionName: string; url: string }): string {
  if (frame.functionName === '(garbage collector)') return 'V8: garbage collection';
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(program)') return 'V8/native (program)';
  const url = frame.url.replace(/^file:\/\//, '');
  if (url.startsWith(SRC)) return `leadline: src/${url.slice(SRC.length).split('/')[0]}`;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return `package: ${match[1]}`;
  if (url.startsWith('node:') || url === '') return 'Node.js core';
  return 'other';
}

function summariseProfile(profile: CpuProfile): { areas: [string, number][]; functions: [string, number][]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areaMs = new Map<string, number>();
  const functionMs = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const area = areaOf(node.callFrame);
    areaMs.set(area, (areaMs.get(area) ?? 0) + ms);
    if (area !== 'idle') {
      const url = node.callFrame.url
        .replace(/^file:\/\//, '')
        .replace(/^.*node_modules\//, '')
        .replace(SRC, 'src/');
      const key = `${node.callFrame.functionName || '(anonymous)'} ${url}`;
      functionMs.set(key, (functionMs.get(key) ?? 0) + ms);
    }
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  return {
    areas: [...areaMs.entries()].sort((a, b) => b[1] - a[1]),
    functions: [...functionMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15),
    totalMs,
  };
}

/** One sample line of a Prometheus text: the value of `name` with the given labels (or none). */
function metricValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

function gcSeconds(text: string): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('nodejs_gc_duration_seconds_count')) count += Number(line.split(' ').pop());
    if (line.startsWith('nodejs_gc_duration_seconds_sum')) sum += Number(line.split(' ').pop());
  }
  return { count, sum };
}

async function main(): Promise<void> {
  const machine = readMachineInfo();
  log(`profiling Leadline ROLE=${ROLE} at ${RATES.join(', ')} leads/s on ${machine.cores} cores`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-profile-'));
  const postgres = await openBenchPostgres(process.env['BENCH_DATABASE_URL']);
  const sections: string[] = [];
  try {
    for (const rate of RATES) {
      const databaseUrl = await postgres.createDatabase(`profile_${rate}`);
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
      await migrate(pool);
      const profileDir = path.join(workDir, `cpu-${rate}`);
      const service = await startService({
        name: `leadline-${rate}`,
        script: MAIN,
        nodeFlags: [...startScriptNodeFlags(), '--cpu-prof', `--cpu-prof-dir=${profileDir}`],
        logFile: path.join(workDir, `leadline-${rate}.log`),
        ready: /Leadline is running at (http:\/\/[^\s"]+)/,
        env: {
          NODE_ENV: 'production',
          ROLE,
          DATABASE_URL: databaseUrl,
          ADMIN_API_KEY: BENCH_ADMIN_KEY,
          HOST: '127.0.0.1',
          PORT: '0',
          LEADLINE_HOME: path.join(workDir, `home-${rate}`),
          LOG_LEVEL: 'info',
          RATE_LIMIT_PER_MINUTE: '1000000000',
        },
      });
      const target = { url: service.url, path: '/api/leads', body: (serial: number) => leadBody(`p${rate}`, serial) };
      await runSteadyRate(target, Math.min(rate, 100), 3);
      const before = await (await fetch(`${service.url}/metrics`)).text();
      const waits = new Map<string, number>();
      let samplesTaken = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const { rows } = await pool.query<{ wait: string; n: number }>(
            `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (no wait)') AS wait, count(*)::int AS n
               FROM pg_stat_activity WHERE application_name LIKE 'leadline%' AND state = 'active' GROUP BY 1`,
          );
          samplesTaken += 1;
          for (const row of rows) waits.set(row.wait, (waits.get(row.wait) ?? 0) + row.n);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      log(`  ${rate} leads/s for ${SECONDS} s`);
      const result = await runSteadyRate(target, rate, SECONDS);
      sampling = false;
      await sampler;
      const after = await (await fetch(`${service.url}/metrics`)).text();
      const cpuMs = service.cpuMs();
      await service.stop();
      await pool.end();

      const file = (await readdir(profileDir)).find((name) => name.endsWith('.cpuprofile'));
      const profile = file ? summariseProfile(JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as CpuProfile) : undefined;
      const gcBefore = gcSeconds(before);
      const gcAfter = gcSeconds(after);
      const lines = [
        `### ${rate} leads/s (ROLE=${ROLE}, ${SECONDS} s)`,
        '',
        `Answered ${result.ok} (${result.non2xx} non-2xx, ${result.errors} errors): ${result.requestsPerSecond.toFixed(0)}/s; ` +
          `capture p50 ${percentile(result.latenciesMs, 50).toFixed(2)} ms, p99 ${percentile(result.latenciesMs, 99).toFixed(2)} ms, median ${median(result.latenciesMs).toFixed(2)} ms.`,
        `Event-loop delay at the end (prom-client, since start): p50 ${((metricValue(after, 'nodejs_eventloop_lag_p50_seconds') ?? 0) * 1000).toFixed(1)} ms, ` +
          `p99 ${((metricValue(after, 'nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000).toFixed(1)} ms, max ${((metricValue(after, 'nodejs_eventloop_lag_max_seconds') ?? 0) * 1000).toFixed(1)} ms.`,
        `GC during the load: ${gcAfter.count - gcBefore.count} pauses, ${((gcAfter.sum - gcBefore.sum) * 1000).toFixed(0)} ms in all ` +
          `(${(((gcAfter.sum - gcBefore.sum) / SECONDS) * 100).toFixed(1)}% of the wall time). CPU time of the process over its life: ${(cpuMs / 1000).toFixed(1)} s.`,
        '',
      ];
      if (profile) {
        lines.push('| area (self time) | ms | share of wall time |', '|---|---|---|');
        for (const [area, ms] of profile.areas.slice(0, 14))
          lines.push(`| ${area} | ${ms.toFixed(0)} | ${((ms / profile.totalMs) * 100).toFixed(1)}% |`);
        lines.push('', '| hottest functions (self time) | ms |', '|---|---|');
        for (const [name, ms] of profile.functions) lines.push(`| \`${name.replace(/\|/g, '\\|')}\` | ${ms.toFixed(0)} |`);
      }
      const totalWaits = [...waits.values()].reduce((sum, n) => sum + n, 0);
      lines.push(
        '',
        `Postgres: active Leadline backends per sample (${samplesTaken} samples), by what they were doing:`,
        '',
        '| wait | share |',
        '|---|---|',
      );
      for (const [wait, n] of [...waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10))
        lines.push(`| ${wait} | ${((n / totalWaits) * 100).toFixed(1)}% |`);
      lines.push(`| (mean active backends per sample) | ${(totalWaits / Math.max(1, samplesTaken)).toFixed(2)} |`, '');
      sections.push(lines.join('\n'));
      log(`  done: p50 ${percentile(result.latenciesMs, 50).toFixed(2)} ms, p99 ${percentile(result.latenciesMs, 99).toFixed(2)} ms`);
    }
  } finally {
    await postgres.close();
    if (process.env['BENCH_PROFILE_KEEP']) log(`kept the raw profiles in ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
  const header = [
    '# Where the time goes (CPU profile, event loop, GC, Postgres waits)',
    '',
    `Written by \`npm run bench:profile\` on ${new Date().toISOString()} on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ` +
      `${postgres.description}. Leadline runs as \`npm start\` does (its Node flags), with no provider configured (alerts go to the log channel).`,
    '',
  ];
  await writeFile(OUTPUT, `${[...header, ...sections].join('\n')}\n`);
  log(`wrote ${OUTPUT}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:profile failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
