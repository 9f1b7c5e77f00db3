/**
 * Plain-text pieces shared by every channel's formatter. Nothing here escapes: each channel escapes for its
 * own markup (Slack mrkdwn, HTML) after truncating, so an escape sequence is never cut in half.
 */
import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';
import type { LeadSummary, Notice } from './channel.ts';

/** Names longer than this are cut: a name is a label in a list, not a place for a pasted essay. */
export const MAX_NAME_CHARS = 80;
/** The lead's own message is an excerpt; the full text is one click away in the admin panel. */
export const MAX_MESSAGE_EXCERPT_CHARS = 300;

const MAX_CONTACT_CHARS = 300;

const QUALITY_LABELS: Record<Quality, string> = { hot: 'HOT', warm: 'WARM', cold: 'COLD' };

export function qualityLabel(quality: Quality): string {
  return QUALITY_LABELS[quality];
}

/**
 * Cuts text to at most `maxChars` UTF-16 units, ending with an ellipsis, and never splits a surrogate pair
 * (half an emoji in a name would be invalid UTF-8 on the wire).
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}\u2026`;
}

/** Collapses line breaks and runs of whitespace so user text cannot forge extra lines (or mail headers). */
export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Never falls back to email or phone: the name appears in subjects and logs where contact data must not. */
export function displayName(lead: LeadSummary): string {
  const name = lead.name === null ? '' : singleLine(lead.name);
  return name === '' ? 'Unnamed lead' : truncate(name, MAX_NAME_CHARS);
}

/** Email and phone, bounded: capture validates both, but a formatter must not rely on it for size limits. */
export function contactLine(lead: LeadSummary): string {
  const parts = [lead.email, lead.phone].filter((part): part is string => part !== null && part !== '');
  if (parts.length === 0) return 'no contact details';
  return truncate(parts.map((part) => singleLine(part)).join(' / '), MAX_CONTACT_CHARS);
}

export function messageExcerpt(lead: LeadSummary): string | null {
  if (lead.message === null) return null;
  const text = lead.message.trim();
  return text === '' ? null : truncate(text, MAX_MESSAGE_EXCERPT_CHARS);
}

/** `2025-05-01 14:30 UTC`: channels without per-viewer time zones show UTC and say so. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** An alert about one lead (as opposed to an operator alert, a digest or a forwarded event). */
export type LeadNotice = Extract<Notice, { kind: 'lead.created' | 'sla.warning' | 'sla.breached' }>;

export function isLeadNotice(notice: Notice): notice is LeadNotice {
  return notice.kind === 'lead.created' || notice.kind === 'sla.warning' || notice.kind === 'sla.breached';
}

/** What an alert formatter throws for a forwarded lead event: those go to channels that receive events. */
export const NOT_AN_ALERT = 'a lead event is sent to channels that receive events (outbound webhooks), never to an alert channel';

/** A short name for a notice in a list: the lead's name, an alert's title, a digest's subject. */
export function noticeName(notice: Notice): string {
  if (isLeadNotice(notice) || notice.kind === 'lead.event') return displayName(notice.lead);
  return truncate(singleLine(notice.kind === 'operator' ? notice.title : notice.subject), MAX_NAME_CHARS);
}

/** One line that says what happened, e.g. `New HOT lead: Ada Lovelace`; also the email subject. */
export function noticeHeadline(notice: Notice): string {
  switch (notice.kind) {
    case 'lead.created':
      return `New ${qualityLabel(notice.lead.quality)} lead: ${displayName(notice.lead)}`;
    case 'sla.warning':
      return `SLA at risk: ${displayName(notice.lead)}`;
    case 'sla.breached':
      return `SLA breached: ${displayName(notice.lead)}`;
    case 'operator':
      return `Leadline alert: ${truncate(singleLine(notice.title), MAX_NAME_CHARS)}`;
    case 'digest':
      return truncate(singleLine(notice.subject), 150);
    case 'lead.event':
      return `Lead event ${notice.eventType}: ${displayName(notice.lead)}`;
  }
}

function plural(count: number, singular: string, pluralForm: string): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The headline of a coalesced burst, e.g. `12 new leads` or `14 notices: 12 new leads, 1 SLA breached,
 * 1 alert`. It states counts only; the body names every notice.
 */
export function summaryHeadline(notices: readonly Notice[]): string {
  const counts = { created: 0, warning: 0, breached: 0, operator: 0, digest: 0, event: 0 };
  for (const notice of notices) {
    if (notice.kind === 'lead.created') counts.created += 1;
    else if (notice.kind === 'sla.warning') counts.warning += 1;
    else if (notice.kind === 'sla.breached') counts.breached += 1;
    else if (notice.kind === 'operator') counts.operator += 1;
    else if (notice.kind === 'digest') counts.digest += 1;
    else counts.event += 1;
  }
  const parts: string[] = [];
  if (counts.created > 0) parts.push(plural(counts.created, 'new lead', 'new leads'));
  if (counts.warning > 0) parts.push(plural(counts.warning, 'SLA at risk', 'SLA at risk'));
  if (counts.breached > 0) parts.push(plural(counts.breached, 'SLA breached', 'SLA breached'));
  if (counts.operator > 0) parts.push(plural(counts.operator, 'alert', 'alerts'));
  if (counts.digest > 0) parts.push(plural(counts.digest, 'digest', 'digests'));
  if (counts.event > 0) parts.push(plural(counts.event, 'lead event', 'lead events'));
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  return `${notices.length} notices: ${parts.join(', ')}`;
}

/** A short tag for a summary line, e.g. `HOT` for a new lead, `SLA BREACHED` for a breach. */
export function noticeTag(notice: Notice): string {
  switch (notice.kind) {
    case 'lead.created':
      return qualityLabel(notice.lead.quality);
    case 'sla.warning':
      return `SLA AT RISK, ${qualityLabel(notice.lead.quality)}`;
    case 'sla.breached':
      return `SLA BREACHED, ${qualityLabel(notice.lead.quality)}`;
    case 'operator':
      return 'ALERT';
    case 'digest':
      return 'DIGEST';
    case 'lead.event':
      return notice.eventType.toUpperCase();
  }
}

/** The assignment line of a lead alert: who has it, or that nobody does (said loudly for a hot lead at risk). */
export function assigneeLine(notice: LeadNotice): string | null {
  const { assignee, quality } = notice.lead;
  if (assignee === undefined) return null;
  if (assignee !== null) return `Assigned to ${truncate(singleLine(assignee), MAX_NAME_CHARS)}`;
  return notice.kind === 'sla.warning' && quality === 'hot' ? 'UNASSIGNED: nobody owns this hot lead yet' : 'Unassigned';
}
