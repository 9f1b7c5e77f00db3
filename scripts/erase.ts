/**
 * `npm run erase -- --email ADDRESS | --phone NUMBER | --id LEAD_ID [--actor NAME] [--dry-run]`
 *
 * Erases every lead of one person (GDPR Art. 17, CCPA deletion): each becomes an anonymous tombstone, as
 * with `DELETE /api/admin/leads/:id`. Options may repeat and combine (`--email a@x --phone +1…`). Provider
 * payloads that hold the email or phone without ever having become a lead are blanked too, and leads still
 * waiting in this host's spool are erased as they are written. See docs/data-lifecycle.md.
 */
import { parseArgs } from 'node:util';
import type { CountryCode } from 'libphonenumber-js';
import { normalizeContact } from '../src/capture/normalize-contact.ts';
import { spooledLeadCodec } from '../src/capture/spooled-lead-codec.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createEventAnnouncer } from '../src/events/announce-events.ts';
import { recordAdminAction } from '../src/leads/record-admin-action.ts';
import { eraseLead } from '../src/lifecycle/erase-lead.ts';
import { findLeadsByContact } from '../src/lifecycle/find-leads-by-contact.ts';
import { personalNeedles } from '../src/lifecycle/redact-personal-text.ts';
import { scrubRawPayloads } from '../src/lifecycle/scrub-raw-payloads.ts';
import { UUID_PATTERN } from '../src/http/admin-request.ts';
import { readSpooledRecords } from '../src/spool/read-spooled-records.ts';
import { loadScriptConfig } from './load-script-config.ts';

const USAGE = 'usage: npm run erase -- --email ADDRESS | --phone NUMBER | --id LEAD_ID  [--actor NAME] [--dry-run]';

function fail(message: string): never {
  console.error(`erase: ${message}\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      email: { type: 'string', multiple: true },
      phone: { type: 'string', multiple: true },
      id: { type: 'string', multiple: true },
      actor: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
} catch (error) {
  fail(`${(error as Error).message}`);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const split = (list: string[] | undefined) =>
  (list ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
const rawEmails = split(values.email);
const rawPhones = split(values.phone);
const ids = split(values.id).map((id) => id.toLowerCase());
if (rawEmails.length + rawPhones.length + ids.length === 0) fail('say whose data to erase with --email, --phone or --id');
for (const id of ids) if (!UUID_PATTERN.test(id)) fail(`--id "${id}" is not a lead id (a UUID, as the admin panel and the API show it)`);
const actor = values.actor?.trim() || 'erase-script';
const dryRun = values['dry-run'];

const config = loadScriptConfig('erase');
const region = config.defaultPhoneRegion as CountryCode | undefined;
const emails = rawEmails.map((email) => {
  const normalized = normalizeContact({ email }, region);
  if (normalized.contact.email === null) fail(`--email "${email}" is not an email address; pass the address as the person gave it`);
  return normalized.contact.email;
});
const phones = rawPhones.map((phone) => {
  const normalized = normalizeContact({ phone }, region);
  if (normalized.contact.phone === null) {
    fail(`--phone "${phone}" is not a valid phone number; write it with its country code (e.g. +14155550123) or set DEFAULT_PHONE_REGION`);
  }
  return normalized.contact.phone;
});

let exitCode = 0;
let erasedSoFar = 0;
let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
let pool: ReturnType<typeof createPool> | undefined;
let announce: ReturnType<typeof createEventAnnouncer> | undefined;
try {
  database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
  pool = createPool({ connectionString: database.url, max: 2, applicationName: 'leadline-erase' });
  announce = createEventAnnouncer({ db: pool, onError: () => {} });
  await migrate(pool);
  const leads = await findLeadsByContact(pool, { emails, phones, rawPhones, ids });
  const asked = [...emails.map((e) => `--email ${e}`), ...phones.map((p) => `--phone ${p}`), ...ids.map((i) => `--id ${i}`)].join(' ');
  console.log(`erase: ${leads.length} lead(s) in the database match ${asked}${dryRun ? ' (dry run: nothing is changed)' : ''}`);

  const totals = { erased: 0, alreadyErased: 0, pending: 0, rawPayloads: 0, damaged: 0 };
  for (const [index, lead] of leads.entries()) {
    const label = `  [${index + 1}/${leads.length}] lead ${lead.id} (${lead.source}, captured ${lead.created_at.toISOString()})`;
    if (lead.erased_at) {
      totals.alreadyErased += 1;
      console.log(`${label}: already erased on ${lead.erased_at.toISOString()}`);
      continue;
    }
    if (dryRun) {
      console.log(`${label}: would be erased`);
      continue;
    }
    const result = await eraseLead(pool, { id: lead.id, now: new Date(), actor, via: 'script', rememberWhenMissing: false });
    if (result.outcome === 'erased') {
      totals.erased += 1;
      erasedSoFar += 1;
      const { counts } = result;
      console.log(
        `${label}: erased (${counts.messages} messages, ${counts.timeline_rows} timeline rows, ${counts.raw_payloads} raw payloads, ${counts.delivery_attempts + counts.alerts + counts.digests + counts.other_rows} other texts)`,
      );
      announce?.();
    } else if (result.outcome === 'already_erased') {
      totals.alreadyErased += 1;
      console.log(`${label}: already erased (by someone else meanwhile)`);
    }
  }

  // An id the database does not hold may be a lead still in a spool: remember it like the API does.
  const unknownIds = ids.filter((id) => !leads.some((lead) => lead.id === id));
  // Leads of this person still waiting in this host's spool (the database was away when they came).
  const spooled = config.spool ? await readSpooledRecords(config.spool.dir, spooledLeadCodec) : [];
  const matches = spooled.filter(
    ({ record }) =>
      (record.email !== null && emails.includes(record.email)) ||
      (record.phone !== null && phones.includes(record.phone)) ||
      ids.includes(record.id),
  );
  const pendingIds = [...new Set([...unknownIds, ...matches.filter((match) => !match.damaged).map((match) => match.record.id)])].filter(
    (id) => !leads.some((lead) => lead.id === id),
  );
  for (const id of pendingIds) {
    const inSpool = matches.some((match) => match.record.id === id);
    if (dryRun) {
      console.log(`  lead ${id}: not in the database${inSpool ? ' (waiting in the spool)' : ''}; its erasure would be remembered`);
      continue;
    }
    await eraseLead(pool, { id, now: new Date(), actor, via: 'script', rememberWhenMissing: true });
    totals.pending += 1;
    console.log(
      `  lead ${id}: not in the database${inSpool ? ' but waiting in the spool' : ''}; remembered: it is erased the moment it is written (keep Leadline running)`,
    );
  }
  for (const match of matches.filter((entry) => entry.damaged)) {
    totals.damaged += 1;
    console.log(
      `  lead ${match.record.id}: in a damaged spool segment that is never written (${match.file}); delete that file by hand once its other leads are dealt with`,
    );
  }

  // Payloads that never became a lead (a failed ingestion) but name the person's email or phone.
  const contacts = [...emails, ...phones];
  if (contacts.length > 0 && !dryRun) {
    const needles = [...new Set(contacts.flatMap((contact) => personalNeedles({ name: null, email: contact, phone: null })))];
    totals.rawPayloads = await scrubRawPayloads(pool, { contacts, needles });
    if (totals.rawPayloads > 0) {
      await recordAdminAction(pool, { actor, action: 'raw_leads.erase', details: { payloads: totals.rawPayloads, via: 'script' } });
      console.log(`  ${totals.rawPayloads} more provider payload(s) held the contact without a lead; their bodies were blanked`);
    }
  }

  console.log(
    `erase: done. ${totals.erased} erased, ${totals.alreadyErased} already erased, ${totals.pending} remembered for leads not written yet, ${totals.rawPayloads} other payloads blanked${totals.damaged > 0 ? `, ${totals.damaged} in damaged spool segments (see above)` : ''}.`,
  );
  if (leads.length === 0 && pendingIds.length === 0 && totals.rawPayloads === 0) {
    console.log(
      'erase: nothing held matches. Check the spelling; try the other contact (--phone / --email); or look the person up in the admin panel and pass --id.',
    );
  }
} catch (error) {
  const done = erasedSoFar > 0 ? `the ${erasedSoFar} lead(s) reported as erased above are erased` : 'nothing was erased';
  console.error(
    `erase failed: ${(error as Error).message} (${done}; check DATABASE_URL and that the database is reachable, then run the same command again)`,
  );
  exitCode = 1;
} finally {
  await announce?.stop();
  await pool?.end();
  await database?.embedded?.stop();
}
process.exit(exitCode);
