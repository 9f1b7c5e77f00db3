/**
 * `npm run digest -- [--date YYYY-MM-DD] [--dry-run]`: writes the daily digest of one day (yesterday in
 * DIGEST_TZ by default) for delivery, the same way the scheduled job does. A day already sent is not sent
 * again. Connects like `npm start`: DATABASE_URL, or the embedded database under LEADLINE_HOME.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config/load-config.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { buildDigest } from '../src/digest/build-digest.ts';
import { yesterdayIn } from '../src/digest/digest-date.ts';
import { renderDigest } from '../src/digest/render-digest.ts';
import { sendDigest } from '../src/digest/send-digest.ts';
import { systemClock } from '../src/shared/clock.ts';
import { parseLocalDate } from '../src/time/zoned-time.ts';

const USAGE = 'usage: npm run digest -- [--date YYYY-MM-DD] [--dry-run]';
const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`digest: ${line}\n`);
  process.exit(1);
};

async function main(): Promise<void> {
  let args: { date?: string | undefined; 'dry-run'?: boolean | undefined; help?: boolean | undefined };
  try {
    args = parseArgs({
      options: { date: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    say(USAGE);
    return;
  }

  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    // The script never serves the admin API, so it does not need the key the server insists on.
    config = loadConfig(process.env, { requireAdminKey: false });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const timeZone = config.digest.tz;
  const date = args.date ?? yesterdayIn(systemClock.now(), timeZone);
  if (!parseLocalDate(date)) return fail(`--date: "${date}" is not a calendar date (YYYY-MM-DD)`);

  say(config.databaseUrl ? 'Connecting to DATABASE_URL...' : `Starting the embedded database in ${config.homeDir}/postgres...`);
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
  } catch (error) {
    return fail(
      config.databaseUrl
        ? `cannot open the database (${(error as Error).message})`
        : 'cannot start the embedded database; if Leadline is running, it holds it: stop it or set DATABASE_URL to its database',
    );
  }
  const pool = createPool({ connectionString: database.url, max: 2, applicationName: 'leadline-digest' });
  try {
    await migrate(pool);
    const adminUrl = `${config.publicUrl}/admin`;
    say(`Building the digest of ${date} (${timeZone})...`);

    if (args['dry-run']) {
      const rendered = renderDigest(await buildDigest(pool, date, timeZone), { adminUrl });
      say(`\nSubject: ${rendered.subject}\n\n${rendered.text}\n`);
      say('Dry run: nothing was written or sent.');
      return;
    }

    const result = await sendDigest({ db: pool, clock: systemClock, timeZone, adminUrl }, date);
    if (!result.sent) {
      say(
        `The digest of ${date} was already sent${result.sentAt ? ` at ${result.sentAt.toISOString()}` : ''} (event ${result.eventId ?? '?'}); nothing new was sent.`,
      );
      return;
    }
    say(`\nSubject: ${result.rendered.subject}\n\n${result.rendered.text}\n`);
    const recipients = [
      ...(config.email && config.email.digestTo.length > 0 ? [`email to ${config.email.digestTo.length} recipient(s)`] : []),
      ...(config.slack ? ['Slack'] : []),
    ];
    say(
      `Summary: digest of ${date} written as digest ${result.digestId ?? '?'} with event ${result.eventId ?? '?'}; ${result.digest.leads.total} leads, ${result.digest.breaches.total} breaches.`,
    );
    say(
      recipients.length > 0
        ? `A running Leadline worker delivers it (${recipients.join(' and ')}) within seconds; if none is running, at its next start.`
        : 'No digest channel is configured (LEAD_DIGEST_EMAIL with EMAIL_HOST, or SLACK_WEBHOOK_URL): it goes to the log channel.',
    );
  } finally {
    await pool.end();
    await database.embedded?.stop();
  }
}

main().catch((error: unknown) => fail(`failed: ${(error as Error).message}`));
