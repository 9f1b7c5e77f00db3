/**
 * `npm run replay -- [--event ID…] [--since ISO] [--until ISO] [--type T] [--channel C] [--failed-only] [--dry-run] [--force]`
 *
 * Re-sends events through the same delivery queues and logs as live alerts. By default it skips
 * (event, channel) pairs already sent; --force sends them again; --failed-only keeps the failed ones.
 * A running worker (`npm start` or ROLE=worker) does the sending.
 */
import { parseArgs } from 'node:util';
import { CHANNEL_NAMES, parseChannelName, type ChannelName } from '../src/shared/channel-names.ts';
import { configuredChannelNames } from '../src/channels/create-configured-channels.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { deliveryQueueName } from '../src/delivery/delivery-job.ts';
import { ensureDeliveryQueues } from '../src/delivery/ensure-delivery-queues.ts';
import { planReplay } from '../src/delivery/plan-replay.ts';
import { createLogger } from '../src/logging/create-logger.ts';
import type { EventType } from '../src/events/event-types.ts';
import { startJobQueue } from '../src/queue/start-job-queue.ts';
import { loadScriptConfig } from './load-script-config.ts';

const USAGE =
  'usage: npm run replay -- [--event ID…] [--since ISO] [--until ISO] [--type T] [--channel C] [--failed-only] [--dry-run] [--force]';

function fail(message: string): never {
  console.error(`replay: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseDate(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) fail(`--${name} "${text}" is not an ISO date such as 2026-11-01T00:00:00Z`);
  return date;
}

const { values } = parseArgs({
  options: {
    event: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    type: { type: 'string' },
    channel: { type: 'string' },
    'failed-only': { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const eventIds = (values.event ?? [])
  .flatMap((value) => value.split(','))
  .map((value) => value.trim())
  .filter(Boolean);
for (const id of eventIds) if (!/^\d{1,18}$/.test(id)) fail(`--event "${id}" is not an event id (a number)`);
const channel = values.channel === undefined ? undefined : parseChannelName(values.channel);
if (values.channel !== undefined && channel === undefined)
  fail(`--channel must be one of ${CHANNEL_NAMES.join(', ')} or webhook:<name> (an endpoint in OUTBOUND_WEBHOOKS)`);
if (values['failed-only'] && values.force) fail('--failed-only and --force cannot be combined');

const config = loadScriptConfig('replay');
const configured = configuredChannelNames(config);
if (channel !== undefined && !configured.includes(channel))
  fail(`--channel ${channel} is not configured here (configured: ${configured.join(', ')}); set the same variables the workers run with`);
const database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
const pool = createPool({ connectionString: database.url, max: 2, applicationName: 'leadline-replay' });
const boss = await startJobQueue({
  connectionString: database.url,
  logger: createLogger({ level: 'warn' }),
  runsMaintenance: false,
  poolSize: 2,
});
try {
  await migrate(pool);
  await ensureDeliveryQueues(boss, configured);
  console.log(`replay: looking for events (channels configured: ${configured.join(', ')}) …`);
  const plan = await planReplay(
    pool,
    {
      eventIds,
      since: parseDate('since', values.since),
      until: parseDate('until', values.until),
      type: values.type as EventType | undefined,
      channel,
      failedOnly: values['failed-only'],
      force: values.force,
    },
    { channels: configured, webhookEvents: new Set(config.outboundWebhooks?.events ?? []) },
  );
  console.log(
    `replay: ${plan.events} events matched; ${plan.jobs.length} deliveries to send, ${plan.skippedSent} skipped as already sent${values['failed-only'] ? `, ${plan.skippedNotFailed} skipped as not failed` : ''}`,
  );
  if (values['dry-run']) {
    for (const job of plan.jobs.slice(0, 20))
      console.log(`  would send event ${job.data.eventId} to ${job.channel}${job.data.round ? ` (round ${job.data.round})` : ''}`);
    if (plan.jobs.length > 20) console.log(`  … and ${plan.jobs.length - 20} more`);
    console.log('replay: dry run, nothing sent');
  } else {
    const batchSize = 500;
    for (let start = 0; start < plan.jobs.length; start += batchSize) {
      const batch = plan.jobs.slice(start, start + batchSize);
      const byChannel = new Map<ChannelName, typeof batch>();
      for (const job of batch) byChannel.set(job.channel, [...(byChannel.get(job.channel) ?? []), job]);
      for (const [target, jobs] of byChannel)
        await boss.insert(
          deliveryQueueName(target),
          jobs.map((job) => ({ data: job.data })),
        );
      console.log(`replay: queued ${Math.min(start + batchSize, plan.jobs.length)}/${plan.jobs.length}`);
    }
    console.log(
      `replay: done. ${plan.jobs.length} deliveries queued; a running worker sends them and records each attempt in notification_logs.`,
    );
  }
} catch (error) {
  console.error(`replay failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await boss.stop({ graceful: false });
  await pool.end();
  await database.embedded?.stop();
}
