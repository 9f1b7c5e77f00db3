import type { LeadSummary, Notice, OutgoingMessage } from '../channel.ts';
import { escapeHtml } from '../escape-html.ts';
import type { LeadNotice } from '../notice-text.ts';
import {
  assigneeLine,
  contactLine,
  displayName,
  formatUtc,
  messageExcerpt,
  noticeHeadline,
  noticeName,
  noticeTag,
  qualityLabel,
  singleLine,
  summaryHeadline,
  truncate,
  NOT_AN_ALERT,
} from '../notice-text.ts';

/**
 * Telegram refuses text longer than 4,096 characters after its entities are parsed. We bound the HTML we
 * send instead, which is never shorter than the parsed text, so the check holds without parsing.
 */
export const MAX_TELEGRAM_HTML_CHARS = 4096;
const MAX_SOURCE_CHARS = 60;
const MAX_DETAIL_CHARS = 2000;

/** Links are only placed in `href` when they are http(s): Telegram drops or rejects anything else. */
function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function link(url: string, label: string): string {
  return isWebUrl(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>` : escapeHtml(label);
}

function headlineHtml(notice: Notice): string {
  const headline = noticeHeadline(notice);
  const colon = headline.indexOf(': ');
  if (colon === -1) return `<b>${escapeHtml(headline)}</b>`;
  return `<b>${escapeHtml(headline.slice(0, colon + 1))}</b> ${escapeHtml(headline.slice(colon + 2))}`;
}

function formatLeadNotice(notice: LeadNotice): string {
  const { lead } = notice;
  const lines = [
    headlineHtml(notice),
    `Contact: ${escapeHtml(contactLine(lead))}`,
    `Source: ${escapeHtml(truncate(singleLine(lead.source), MAX_SOURCE_CHARS))}`,
    `Quality: ${qualityLabel(lead.quality)} (score ${lead.score})`,
    `Respond by: ${formatUtc(lead.slaDeadline)}`,
  ];
  if (notice.kind !== 'lead.created') lines.push(`Received: ${formatUtc(lead.createdAt)}`);
  const assigned = assigneeLine(notice);
  if (assigned !== null) lines.push(`Owner: ${escapeHtml(assigned)}`);
  const excerpt = messageExcerpt(lead);
  if (excerpt !== null) lines.push('', `<blockquote>${escapeHtml(excerpt)}</blockquote>`);
  lines.push('');
  if (lead.teamLink !== undefined) lines.push(link(lead.teamLink, 'Claim or mark as answered'));
  lines.push(link(lead.adminUrl, 'Open the lead in Leadline'));
  return lines.join('\n');
}

function formatOperatorNotice(notice: Extract<Notice, { kind: 'operator' }>): string {
  const detail = truncate(notice.detail.trim(), MAX_DETAIL_CHARS);
  return detail === '' ? headlineHtml(notice) : `${headlineHtml(notice)}\n${escapeHtml(detail)}`;
}

/** Appends escaped lines while they fit the budget; says so when the rest had to be left out. */
function fitLines(head: string, lines: string[], tail: (left: number) => string): string {
  let html = head;
  for (const [index, line] of lines.entries()) {
    const next = `${html}\n${line}`;
    const remaining = lines.length - index - 1;
    const reserve = remaining > 0 ? tail(remaining).length + 1 : 0;
    if (next.length + reserve > MAX_TELEGRAM_HTML_CHARS) return `${html}\n${tail(lines.length - index)}`;
    html = next;
  }
  return html;
}

function formatDigest(notice: Extract<Notice, { kind: 'digest' }>): string {
  const lines = notice.text.split(/\r?\n/).map((line) => escapeHtml(truncate(line, 500)));
  return fitLines(
    `<b>${escapeHtml(noticeName(notice))}</b>\n`,
    lines,
    () => '<i>(The full digest is in the email and the admin panel.)</i>',
  );
}

type SummaryStyle = 'full' | 'compact' | 'minimal';

/** One line per notice; `compact` drops the link and source, `minimal` also shortens the name. */
function summaryLine(notice: Notice, style: SummaryStyle): string {
  const tag = `<b>${escapeHtml(noticeTag(notice))}</b>`;
  const name = style === 'minimal' ? truncate(noticeName(notice), 24) : noticeName(notice);
  if (notice.kind !== 'lead.created' && notice.kind !== 'sla.warning' && notice.kind !== 'sla.breached') {
    return `- ${tag} ${escapeHtml(name)}`;
  }
  const lead: LeadSummary = notice.lead;
  if (style !== 'full') return `- ${tag} ${escapeHtml(name)}, by ${formatUtc(lead.slaDeadline).slice(11)}`;
  const source = escapeHtml(truncate(singleLine(lead.source), MAX_SOURCE_CHARS));
  return `- ${tag} ${link(lead.adminUrl, displayName(lead))} (${source}), respond by ${formatUtc(lead.slaDeadline)}`;
}

/**
 * A burst as one message naming every notice. Lines shrink (no links, then shorter names) until the whole
 * list fits; the channel's maxNoticesPerMessage keeps even the smallest form within the limit, so
 * "and N more" only appears if a caller sends more notices than allowed.
 */
function formatSummary(notices: readonly Notice[]): string {
  const head = `<b>${escapeHtml(summaryHeadline(notices))}</b>`;
  for (const style of ['full', 'compact', 'minimal'] as const) {
    const html = `${head}\n${notices.map((notice) => summaryLine(notice, style)).join('\n')}`;
    if (html.length <= MAX_TELEGRAM_HTML_CHARS) return html;
  }
  return fitLines(
    head,
    notices.map((notice) => summaryLine(notice, 'minimal')),
    (left) => `<i>and ${left} more, see the admin panel</i>`,
  );
}

/**
 * Formats one outgoing message for `parse_mode: 'HTML'`. Every piece of user text goes through escapeHtml
 * (`& < > " '`), so names such as `<b>_*[` never make Telegram fail with "can't parse entities".
 */
export function formatTelegramMessage(message: OutgoingMessage): string {
  const { notices } = message;
  const [first] = notices;
  if (first === undefined) throw new RangeError('an outgoing message needs at least one notice');
  if (first.kind === 'lead.event') throw new RangeError(NOT_AN_ALERT);
  if (notices.length > 1) return formatSummary(notices);
  if (first.kind === 'digest') return formatDigest(first);
  if (first.kind === 'operator') return formatOperatorNotice(first);
  return formatLeadNotice(first);
}
