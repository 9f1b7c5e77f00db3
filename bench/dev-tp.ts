import pg from 'pg';
import { openBenchPostgres } from './bench-postgres.ts';
import { startBaseline, startLeadline } from './start-leadline.ts';
import { startService } from './start-service.ts';
import { measureThroughput } from './phases/measure-throughput.ts';
import { measureLatency } from './phases/measure-latency.ts';
import { leadBody } from './lead-body.ts';
import { migrate } from '../src/db/migrate.ts';
const pgs = await openBenchPostgres(process.env.BENCH_DATABASE_URL);
const dbs = { cur: await pgs.createDatabase('cur'), exp: await pgs.createDatabase('exp'), base: await pgs.createDatabase('base') };
const mp = new pg.Pool({ connectionString: dbs.base, max: 1 }); await migrate(mp); await mp.end();
const role = process.env.ROLE ?? 'all';
const extra = JSON.parse(process.env.EXTRA_ENV ?? '{}');
const cur = await startLeadline({ name: 'cur', databaseUrl: dbs.cur, workDir: '/tmp/benchdev', env: { ROLE: role, ...extra } });
const exp = await startService({ name: 'exp', script: '/tmp/leadline-exp/src/main.ts', logFile: '/tmp/benchdev/exp.log', ready: /Leadline is running at (http:\/\/[^\s"]+)/,
  env: { NODE_ENV: 'production', DATABASE_URL: dbs.exp, ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef', PORT: '0', HOST: '127.0.0.1', LEADLINE_HOME: '/tmp/benchdev/exphome', RATE_LIMIT_PER_MINUTE: '1000000000', ROLE: role, ...extra, ...JSON.parse(process.env.EXP_ENV ?? '{}') } });
const base = await startBaseline({ databaseUrl: dbs.base, workDir: '/tmp/benchdev', poolSize: 10 });
const settle = (db: string) => async () => { const t = Date.now(); for (;;) { const [r] = await pgs.query<{ l: string; s: string }>(db, `SELECT (SELECT count(*) FROM lead_events WHERE event_type='lead.created') l, (SELECT count(*) FROM notification_logs WHERE status='sent') s`); if (role === 'api' || Number(r!.s) >= Number(r!.l)) return Date.now() - t; await new Promise((r) => setTimeout(r, 200)); } };
const t = (url: string) => { const tag = 'd' + Math.random().toString(36).slice(2, 8); return { url, path: '/api/leads', body: (n: number) => leadBody(tag, n) }; };
const contenders = [
  { label: 'current', service: cur, target: t(cur.url), settle: settle(dbs.cur) },
  { label: 'experiment', service: exp, target: t(exp.url), settle: settle(dbs.exp) },
  { label: 'baseline', service: base, target: t(base.url) },
];
try {
  if (process.env.LAT) {
    const r = await measureLatency({ contenders, ratePerSecond: 500, runs: Number(process.env.ROUNDS ?? 2), seconds: Number(process.env.SECS ?? 10), log: console.log });
    for (const x of r) console.log(x.label, x.medianP50Ms.toFixed(2), x.medianP99Ms.toFixed(2));
  } else {
    const r = await measureThroughput({ contenders, connections: 50, rounds: Number(process.env.ROUNDS ?? 2), seconds: Number(process.env.SECS ?? 6), warmupSeconds: 2, log: console.log });
    for (const x of r) console.log(x.label, Math.round(x.medianRequestsPerSecond), x.medianCpuMsPerRequest.toFixed(3));
  }
  for (const s of [cur, exp, base]) console.log(s.name, 'rss MB', (s.memory().peakBytes / 2 ** 20).toFixed(0));
} finally { await cur.stop(); await exp.stop(); await base.stop(); await pgs.close(); }
