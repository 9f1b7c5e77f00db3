import { openBenchPostgres } from './bench-postgres.ts';
import { startService } from './start-service.ts';
import { runClosedLoop, runSteadyRate, percentile } from './load.ts';
import { leadBody } from './lead-body.ts';

const pgs = await openBenchPostgres(process.env.BENCH_DATABASE_URL);
console.log(pgs.description, pgs.synchronousCommit);
const leadDb = await pgs.createDatabase('leadline');
const baseDb = await pgs.createDatabase('baseline');
const { migrate } = await import('../src/db/migrate.ts');
const pg = (await import('pg')).default;
const p = new pg.Pool({ connectionString: baseDb, max: 1 }); await migrate(p); await p.end();
const role = process.env.ROLE ?? 'all';
const lead = await startService({ name: 'leadline', script: '/work/main/src/main.ts', logFile: '/tmp/benchdev/leadline.log', ready: /Leadline is running at (http:\/\/\S+)/,
  env: { DATABASE_URL: leadDb, ADMIN_API_KEY: 'bench-admin-key-0123456789', PORT: '0', NODE_ENV: 'production', ROLE: role, RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'info' } });
const base = await startService({ name: 'baseline', script: '/work/main/bench/baseline-server.ts', logFile: '/tmp/benchdev/baseline.log', ready: /baseline listening at (http:\/\/\S+)/, env: { DATABASE_URL: baseDb } });
console.log(lead.url, base.url);
const tag = 'p' + Date.now().toString(36);
for (let round = 0; round < 2; round++) {
  for (const s of [lead, base]) {
    const cpu0 = s.cpuMs();
    const r = await runClosedLoop({ url: s.url, path: '/api/leads', body: (n) => leadBody(tag, n) }, 50, 8);
    const cpu = s.cpuMs() - cpu0;
    console.log(s.name, Math.round(r.requestsPerSecond), 'ok', r.ok, 'non2xx', r.non2xx, 'err', r.errors, JSON.stringify(r.statusCodes), 'p50', percentile(r.latenciesMs, 50).toFixed(1), 'p99', percentile(r.latenciesMs, 99).toFixed(1), 'cpu/req ms', (cpu / r.ok).toFixed(3), 'rss', s.memory());
  }
}
for (const s of [lead, base]) {
  const r = await runSteadyRate({ url: s.url, path: '/api/leads', body: (n) => leadBody(tag, n) }, 500, 10);
  console.log('steady', s.name, Math.round(r.requestsPerSecond), r.ok, r.non2xx, r.errors, 'p50', percentile(r.latenciesMs, 50).toFixed(2), 'p99', percentile(r.latenciesMs, 99).toFixed(2));
}
console.log((await pgs.query(leadDb, 'select count(*) from lead_events where processed_at is null'))[0]);
await lead.stop(); await base.stop(); await pgs.close();
