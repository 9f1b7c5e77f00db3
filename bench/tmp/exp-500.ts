import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openBenchPostgres } from '../bench-postgres.ts';
import { leadBody } from '../lead-body.ts';
import { percentile, runSteadyRate } from '../load.ts';
import { readPostgresCpuMs } from '../machine-info.ts';
import { readPipelineLatency } from '../phases/read-pipeline-latency.ts';
import { startLeadline, startBaseline } from '../start-leadline.ts';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';

const variants = (process.env['VARIANTS'] ?? 'api,all').split(',');
const rate = Number(process.env['RATE'] ?? 500);
const seconds = Number(process.env['SECONDS'] ?? 15);
const pgs = await openBenchPostgres(undefined);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'exp-'));
for (const [index, variant] of variants.entries()) {
  const db = await pgs.createDatabase(`v${index}`);
  const [role, ...envs] = variant.split('+');
  const env: Record<string, string> = { ROLE: role === 'inline' ? 'all' : role! };
  if (role === 'inline') env['WORKER_THREAD'] = 'false';
  for (const e of envs) { const [k, v] = e.split('='); env[k!] = v!; }
  let service;
  if (role === 'baseline') {
    const p = new pg.Pool({ connectionString: db, max: 1 }); await migrate(p); await p.end();
    service = await startBaseline({ databaseUrl: db, workDir, poolSize: 10 });
  } else service = await startLeadline({ name: `v${index}`, databaseUrl: db, workDir, env });
  const tag = `e${index}${Date.now().toString(36)}`;
  await runSteadyRate({ url: service.url, path: '/api/leads', body: (n) => leadBody(tag + 'w', n) }, 100, 3, 50);
  await new Promise((r) => setTimeout(r, 3000));
  const commits = async () => Number((await pgs.query<{ c: string }>(db, `select xact_commit::text c from pg_stat_database where datname = current_database()`))[0]!.c);
  const c0 = await commits(); const pg0 = readPostgresCpuMs(); const l0 = service.cpuMs(); const t0 = Date.now();
  const result = await runSteadyRate({ url: service.url, path: '/api/leads', body: (n) => leadBody(tag, n) }, rate, seconds);
  // let workers finish
  for (let i = 0; i < 100; i++) {
    const [row] = await pgs.query<{ n: string }>(db, `select count(*) n from lead_events where processed_at is null`).catch(() => [{ n: '0' }]);
    if (Number(row!.n) === 0) break; await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const c1 = await commits(); const pg1 = readPostgresCpuMs(); const l1 = service.cpuMs();
  const pipe = role === 'api' || role === 'baseline' ? undefined : await readPipelineLatency(pgs, db, { sinceMs: t0, channel: 'log' });
  console.log(`${variant.padEnd(40)} p50 ${percentile(result.latenciesMs, 50).toFixed(2)} p99 ${percentile(result.latenciesMs, 99).toFixed(2)} ms | per lead: commits ${((c1 - c0) / result.ok).toFixed(2)} pgCPU ${((pg1 - pg0) / result.ok).toFixed(2)} ms nodeCPU ${((l1 - l0) / result.ok).toFixed(2)} ms | pipeline p50 ${pipe?.p50Ms.toFixed(0)} p99 ${pipe?.p99Ms.toFixed(0)} | RSS ${(service.memory().peakBytes / 2 ** 20).toFixed(0)}`);
  await service.stop();
}
await pgs.close();
