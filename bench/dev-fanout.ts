import { openBenchPostgres } from './bench-postgres.ts';
import { startLeadline } from './start-leadline.ts';
import { measureFanOut } from './phases/measure-fan-out.ts';
import { leadBody } from './lead-body.ts';
import { startSlackStub } from '../test/stubs/start-slack-stub.ts';
import { startSmtpStub } from '../test/stubs/start-smtp-stub.ts';
import { startTelegramStub } from '../test/stubs/start-telegram-stub.ts';
const channels = (process.env.CH ?? 'slack,email,telegram').split(',');
const pgs = await openBenchPostgres(process.env.BENCH_DATABASE_URL);
const db = await pgs.createDatabase('fan');
const [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
const env: Record<string, string> = { ROLE: 'all' };
if (channels.includes('slack')) Object.assign(env, { SLACK_WEBHOOK_URL: slack.url, SLACK_MIN_INTERVAL: '0' });
if (channels.includes('email')) Object.assign(env, { EMAIL_HOST: smtp.host, EMAIL_PORT: String(smtp.port), EMAIL_FROM: 'Leadline <leads@example.com>', LEAD_ALERT_EMAIL: 'team@example.com' });
if (channels.includes('telegram')) Object.assign(env, { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_CHAT_ID: '424242', TELEGRAM_API_ROOT: telegram.apiRoot, TELEGRAM_MIN_INTERVAL: '0' });
if (process.env.PROF) env.NODE_OPTIONS = '--cpu-prof --cpu-prof-dir=/tmp/benchdev/prof';
const lead = await startLeadline({ name: 'fan', databaseUrl: db, workDir: '/tmp/benchdev', env });
try {
  const r = await measureFanOut({ postgres: pgs, databaseUrl: db, service: lead, target: { url: lead.url, path: '/api/leads', body: (n) => leadBody('f' + Date.now().toString(36), n) },
    leads: Number(process.env.N ?? 1000), channels: channels.length, providerMessages: () => slack.received.length + smtp.received.length + telegram.sent.length, timeoutMs: 120_000, log: console.log });
} finally {
  await lead.stop(); await slack.close(); await smtp.close(); await telegram.close(); await pgs.close();
}
