/**
 * The checker: after recovery, holds the ledger (what clients were told) against the database (what was
 * stored and attempted) and the stub providers (what was received).
 *
 * - lost: acknowledged (201/200/202) but no `conversations` row with that id, or stored but never received by
 *   a provider on one of the expected channels;
 * - duplicated: a lead received more than once on one channel; every repeat must be flagged
 *   (`notification_logs.possible_duplicate`) on an attempt of that lead's `lead.created` event on that channel;
 * - late: from the recovery (or restart) to the last first alert of an acknowledged lead.
 *
 * A provider message names a lead by its admin link (which ends with the lead id) or, where a compact summary
 * drops links (Telegram), by its name; the load generator gives every lead a unique name for that.
 */
import { appendFileSync } from 'node:fs';
import type pg from 'pg';
import type { SlackStub } from '../../stubs/start-slack-stub.ts';
import type { SmtpStub } from '../../stubs/start-smtp-stub.ts';
import type { TelegramStub } from '../../stubs/start-telegram-stub.ts';
import { describeStats, isAcknowledged, storedIdempotencyKey, type Ledger, type LedgerEntry, type LedgerStats } from './ledger.ts';
import { LEAD_NAME_PATTERN } from './load.ts';
import { byForm } from './suite-form.ts';

export type ProviderChannel = 'slack' | 'email' | 'telegram';

/** One message a provider accepted. */
export interface Receipt {
  channel: ProviderChannel;
  /** `Date.now()` when the provider got it. */
  at: number;
  /** Everything in the message that can name a lead (payload JSON, subject and bodies). */
  text: string;
}

/** The accepted messages of the stubs given, in one list (rejected requests are no delivery). */
export function collectReceipts(stubs: {
  slack?: SlackStub | undefined;
  smtp?: SmtpStub | undefined;
  telegram?: TelegramStub | undefined;
}): Receipt[] {
  const receipts: Receipt[] = [];
  for (const request of stubs.slack?.received ?? []) {
    if (request.status === 200) receipts.push({ channel: 'slack', at: request.at, text: request.rawBody });
  }
  for (const message of stubs.smtp?.received ?? []) {
    if (message.responseCode === 250) {
      receipts.push({ channel: 'email', at: message.at, text: [message.subject ?? '', message.text ?? '', message.html ?? ''].join('\n') });
    }
  }
  for (const request of stubs.telegram?.sent ?? [])
    receipts.push({ channel: 'telegram', at: request.at, text: JSON.stringify(request.params) });
  return receipts;
}

const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const isUuid = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

export interface CheckInput {
  db: Pick<pg.Pool, 'query'>;
  ledger: Ledger;
  /** The receipts, or a function that collects them afresh on every look. */
  receipts: readonly Receipt[] | (() => readonly Receipt[]);
  /** Channels every acknowledged lead must reach. */
  channels: readonly ProviderChannel[];
  /** `Date.now()` of the recovery or restart that catch-up is measured from. */
  recoveredAt?: number;
}

export interface DuplicateDetail {
  leadId: string;
  channel: ProviderChannel;
  received: number;
  /** Attempts of this lead on this channel flagged `possible_duplicate`. */
  flaggedAttempts: number;
}

export interface CheckReport {
  acknowledged: number;
  spooled: number;
  /** Acknowledged lead ids without a `conversations` row. */
  notStored: string[];
  /** How the leads not stored were answered, and whether their email is stored under another id: what to look at first. */
  notStoredDetail: string;
  /** Per channel: acknowledged, stored lead ids that provider never received. */
  notAlerted: Record<ProviderChannel, string[]>;
  /** Acknowledged leads not stored, or stored and missing on at least one channel. */
  lost: number;
  /** (lead, channel) pairs received more than once. */
  duplicated: number;
  /** Of those, the pairs whose every repeat is flagged. */
  duplicatedFlagged: number;
  /** Receipts beyond the first, over all pairs. */
  repeats: number;
  /** Repeats not covered by a flagged attempt. */
  unflaggedRepeats: number;
  /** Per channel: messages that named a lead the channel had already received (repeated messages). */
  repeatedMessages: Record<ProviderChannel, number>;
  duplicates: DuplicateDetail[];
  /** The latest first receipt of an acknowledged lead, over every channel. */
  lastAlertAt: number | undefined;
  /** lastAlertAt − recoveredAt (0 when everything arrived before the recovery). */
  catchUpMs: number | undefined;
  /** Per channel: when each acknowledged lead was first received. */
  firstReceiptAt: Record<ProviderChannel, Record<string, number>>;
  /** The same per channel, to see which one was late. */
  catchUpMsByChannel: Partial<Record<ProviderChannel, number>>;
  /** Requests that were not acknowledged but whose lead is stored anyway (by its idempotency key): not lost. */
  unacknowledgedStored: number;
  ledger: LedgerStats;
}

/** The lead ids a message names: ids in links, and names the load generator gave. */
function namedLeads(receipt: Receipt, idByName: ReadonlyMap<string, string>): Set<string> {
  const ids = new Set<string>();
  for (const match of receipt.text.matchAll(UUID_PATTERN)) ids.add(match[0].toLowerCase());
  for (const match of receipt.text.matchAll(LEAD_NAME_PATTERN)) {
    const id = idByName.get(match[0]);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

async function describeNotStored(db: CheckInput['db'], acknowledged: LedgerEntry[], notStored: ReadonlySet<string>): Promise<string> {
  const entries = acknowledged.filter((entry) => notStored.has(entry.leadId!.toLowerCase()));
  if (entries.length === 0) return '';
  const statuses = new Map<number, number>();
  for (const entry of entries) statuses.set(entry.status ?? 0, (statuses.get(entry.status ?? 0) ?? 0) + 1);
  const byEmail = await db.query<{ email: string }>('SELECT email FROM conversations WHERE email = ANY($1::text[])', [
    entries.map((entry) => entry.email.toLowerCase()),
  ]);
  const answered = [...statuses].map(([status, count]) => `${status}×${count}`).join(', ');
  return `answered ${answered}; stored under another id ${byEmail.rows.length}`;
}

export async function checkRun(input: CheckInput): Promise<CheckReport> {
  const receipts = [...(typeof input.receipts === 'function' ? input.receipts() : input.receipts)].sort((a, b) => a.at - b.at);
  const acknowledged = input.ledger.acknowledged();
  const ackIds = [...new Set(acknowledged.map((entry) => entry.leadId!.toLowerCase()))];
  // Only this run's leads count: the stubs may hold receipts of an earlier test in the same file.
  const ackSet = new Set(ackIds);

  const validIds = ackIds.filter(isUuid);
  const stored = await input.db.query<{ id: string }>('SELECT id::text FROM conversations WHERE id = ANY($1::uuid[])', [validIds]);
  const storedIds = new Set(stored.rows.map((row) => row.id));
  const notStored = ackIds.filter((id) => !storedIds.has(id));
  const notStoredDetail = await describeNotStored(input.db, acknowledged, new Set(notStored));

  const names = new Set<string>();
  for (const receipt of receipts) for (const match of receipt.text.matchAll(LEAD_NAME_PATTERN)) names.add(match[0]);
  const named = await input.db.query<{ id: string; name: string }>(
    'SELECT id::text, name FROM conversations WHERE name = ANY($1::text[])',
    [[...names]],
  );
  const idByName = new Map(named.rows.map((row) => [row.name, row.id]));

  // Per channel and lead: when each receipt naming it arrived.
  const receivedAt = new Map<string, number[]>();
  const repeatedMessages: Record<ProviderChannel, number> = { slack: 0, email: 0, telegram: 0 };
  for (const receipt of receipts) {
    let repeatsEarlier = false;
    for (const id of namedLeads(receipt, idByName)) {
      if (!ackSet.has(id)) continue;
      const key = `${receipt.channel}:${id}`;
      const times = receivedAt.get(key) ?? [];
      if (times.length > 0) repeatsEarlier = true;
      times.push(receipt.at);
      receivedAt.set(key, times);
    }
    if (repeatsEarlier) repeatedMessages[receipt.channel] += 1;
  }

  const notAlerted: Record<ProviderChannel, string[]> = { slack: [], email: [], telegram: [] };
  let lastAlertAt: number | undefined;
  const lastByChannel: Partial<Record<ProviderChannel, number>> = {};
  const firstReceiptAt: Record<ProviderChannel, Record<string, number>> = { slack: {}, email: {}, telegram: {} };
  for (const id of ackIds) {
    if (!storedIds.has(id)) continue;
    for (const channel of input.channels) {
      const first = receivedAt.get(`${channel}:${id}`)?.[0];
      if (first === undefined) notAlerted[channel].push(id);
      else {
        firstReceiptAt[channel][id] = first;
        lastAlertAt = Math.max(lastAlertAt ?? first, first);
        lastByChannel[channel] = Math.max(lastByChannel[channel] ?? first, first);
      }
    }
  }
  const sinceRecovery = (at: number | undefined) =>
    at === undefined || input.recoveredAt === undefined ? undefined : Math.max(0, at - input.recoveredAt);
  const catchUpMsByChannel: Partial<Record<ProviderChannel, number>> = {};
  for (const [channel, at] of Object.entries(lastByChannel)) catchUpMsByChannel[channel as ProviderChannel] = sinceRecovery(at);
  const lostIds = new Set([...notStored, ...Object.values(notAlerted).flat()]);

  const candidates: { leadId: string; channel: ProviderChannel; received: number }[] = [];
  for (const [key, times] of receivedAt) {
    if (times.length < 2) continue;
    const [channel, leadId] = key.split(':') as [ProviderChannel, string];
    candidates.push({ leadId, channel, received: times.length });
  }
  const flags = new Map<string, number>();
  if (candidates.length > 0) {
    const { rows } = await input.db.query<{ lead_id: string; channel: string; flagged: number }>(
      /* sql */ `
        SELECT e.conversation_id::text AS lead_id, n.channel, count(*) FILTER (WHERE n.possible_duplicate)::int AS flagged
        FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
        WHERE e.event_type = 'lead.created' AND e.conversation_id = ANY($1::uuid[])
        GROUP BY 1, 2`,
      [[...new Set(candidates.map((candidate) => candidate.leadId))]],
    );
    for (const row of rows) flags.set(`${row.channel}:${row.lead_id}`, row.flagged);
  }
  const duplicates = candidates.map((candidate) => ({
    ...candidate,
    flaggedAttempts: flags.get(`${candidate.channel}:${candidate.leadId}`) ?? 0,
  }));
  const repeats = duplicates.reduce((sum, detail) => sum + detail.received - 1, 0);
  const unflaggedRepeats = duplicates.reduce((sum, detail) => sum + Math.max(0, detail.received - 1 - detail.flaggedAttempts), 0);

  const unacknowledgedKeys = input.ledger.entries.filter((entry) => !isAcknowledged(entry)).map((entry) => storedIdempotencyKey(entry));
  const unacknowledged = await input.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM conversations WHERE idempotency_key = ANY($1::text[])',
    [unacknowledgedKeys],
  );

  return {
    acknowledged: ackIds.length,
    spooled: acknowledged.filter((entry) => entry.spooled).length,
    notStored,
    notStoredDetail,
    notAlerted,
    lost: lostIds.size,
    duplicated: duplicates.length,
    duplicatedFlagged: duplicates.filter((detail) => detail.flaggedAttempts >= detail.received - 1).length,
    repeats,
    unflaggedRepeats,
    repeatedMessages,
    duplicates,
    lastAlertAt,
    firstReceiptAt,
    catchUpMs: sinceRecovery(lastAlertAt),
    catchUpMsByChannel,
    unacknowledgedStored: unacknowledged.rows[0]?.n ?? 0,
    ledger: input.ledger.stats(),
  };
}

/**
 * How long to keep looking past a catch-up limit before reporting: in the short form just past the limit (the
 * assertion fails either way), in the long form a while longer, so the report says how late alerts came.
 */
export const CHECK_GRACE_MS = byForm({ short: 1_000, long: 15_000 });

/**
 * Checks again every 250 ms until nothing acknowledged is lost (or `until` holds), then returns the report. It
 * gives up at `input.recoveredAt + limitMs + CHECK_GRACE_MS` when a catch-up limit is given, else after
 * `timeoutMs`, and returns the last report either way, so the test can assert on it with a clear message.
 */
export async function waitForCheck(
  input: CheckInput,
  options: { limitMs?: number; timeoutMs?: number; until?: (report: CheckReport) => boolean },
): Promise<CheckReport> {
  const until = options.until ?? ((report: CheckReport) => report.lost === 0);
  const deadline =
    options.limitMs !== undefined && input.recoveredAt !== undefined
      ? input.recoveredAt + options.limitMs + CHECK_GRACE_MS
      : Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const report = await checkRun(input).catch((error: unknown) => error as Error);
    if (!(report instanceof Error) && (until(report) || Date.now() >= deadline)) return report;
    if (report instanceof Error && Date.now() >= deadline) throw report;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A short account of what is missing, for assertion messages. */
export function describeReport(report: CheckReport): string {
  const sample = (ids: string[]) => (ids.length === 0 ? '0' : `${ids.length} (e.g. ${ids.slice(0, 3).join(', ')})`);
  const missing = Object.entries(report.notAlerted)
    .filter(([, ids]) => ids.length > 0)
    .map(([channel, ids]) => `${channel} ${sample(ids)}`);
  const duplicates = report.duplicates
    .slice(0, 5)
    .map((detail) => `${detail.channel} ${detail.leadId} ×${detail.received} (flagged ${detail.flaggedAttempts})`);
  return [
    `acknowledged ${report.acknowledged} (spooled ${report.spooled}), lost ${report.lost}`,
    `not stored ${sample(report.notStored)}${report.notStored.length === 0 ? '' : `; ${report.notStoredDetail}`}`,
    `never alerted: ${missing.length === 0 ? 'none' : missing.join('; ')}`,
    `duplicated ${report.duplicated} (${report.duplicatedFlagged} flagged, ${report.unflaggedRepeats} unflagged repeats)${duplicates.length === 0 ? '' : `: ${duplicates.join('; ')}`}`,
    `repeated messages ${JSON.stringify(report.repeatedMessages)}`,
    `catch-up ${report.catchUpMs === undefined ? 'n/a' : `${(report.catchUpMs / 1000).toFixed(1)} s`} ${JSON.stringify(report.catchUpMsByChannel)}`,
  ].join('\n');
}

export interface FaultSummary {
  test: string;
  lost: number;
  duplicated: number;
  duplicatedFlagged: number;
  maxAnswerMs: number;
  catchUpMs: number | undefined;
  [extra: string]: unknown;
}

/**
 * The one-line summary of a fault test: `lost / duplicated (flagged) / max answer ms / catch-up s`, then what
 * the answers were and any figures of the test's own. Catch-up is `never` while something is still missing.
 */
export function summarize(test: string, report: CheckReport, extra: Record<string, unknown> = {}): { summary: FaultSummary; line: string } {
  const catchUpMs = report.lost > 0 ? undefined : report.catchUpMs;
  const answers = describeStats(report.ledger)
    .replace(/^\d+ sent: /, '')
    .replace(/; max answer \d+ ms$/, '');
  const summary: FaultSummary = {
    test,
    lost: report.lost,
    duplicated: report.duplicated,
    duplicatedFlagged: report.duplicatedFlagged,
    maxAnswerMs: report.ledger.maxAnswerMs,
    catchUpMs,
    answers,
    ...extra,
  };
  const catchUp = report.lost > 0 ? 'never' : catchUpMs === undefined ? 'n/a' : `${(catchUpMs / 1000).toFixed(1)} s`;
  const extras = Object.entries({ answers, ...extra })
    .map(([key, value]) => ` / ${key} ${String(value)}`)
    .join('');
  const line = `[fault] ${test}: lost ${report.lost} / duplicated ${report.duplicated} (${report.duplicatedFlagged} flagged) / max answer ${report.ledger.maxAnswerMs} ms / catch-up ${catchUp}${extras}`;
  return { summary, line };
}

/**
 * Prints the summary line and, when `FAULT_SUMMARY_FILE` is set, appends it there as a JSON line (the table
 * in docs/faults.md is made from it).
 */
export function printSummary(test: string, report: CheckReport, extra: Record<string, unknown> = {}): FaultSummary {
  const { summary, line } = summarize(test, report, extra);
  process.stdout.write(`${line}\n`);
  const file = process.env['FAULT_SUMMARY_FILE'];
  if (file)
    appendFileSync(file, `${JSON.stringify({ ...summary, form: process.env['FAULT_SUITE'] ?? 'short', at: new Date().toISOString() })}\n`);
  return summary;
}
