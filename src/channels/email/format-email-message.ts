import type { LeadSummary, Notice, OutgoingMessage } from '../channel.ts';
import { escapeHtml } from '../escape-html.ts';
import type { LeadNotice } from '../notice-text.ts';
import {
  assigneeLine,
  contactLine,
  displayName,
  formatUtc,
  noticeHeadline,
  noticeName,
  noticeTag,
  qualityLabel,
  singleLine,
  summaryHeadline,
  truncate,
  NOT_AN_ALERT,
} from '../notice-text.ts';

/** Long subjects are cut by every mail client anyway; 150 keeps the header on a couple of folded lines. */
const MAX_SUBJECT_CHARS = 150;
/** Email has room for the whole message a lead wrote, within reason. */
const MAX_MESSAGE_CHARS = 5000;
const MAX_DETAIL_CHARS = 5000;

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  /** `<...@leadline>`, derived from the message key so a retried send carries the same Message-ID. */
  messageId: string;
  /** Who receives it: the alert recipients, or the digest recipients for the daily digest. */
  audience: 'alert' | 'digest';
}

type Body = Pick<EmailContent, 'subject' | 'text' | 'html'>;

/**
 * A Message-ID from the message key: characters outside `[A-Za-z0-9_-]` become `=XX` (UTF-8 bytes, like
 * quoted-printable), which keeps the id a valid dot-atom and different keys different ids.
 */
export function emailMessageId(messageKey: string): string {
  const local = Array.from(Buffer.from(messageKey, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<${local === '' ? 'empty' : local}@leadline>`;
}

interface Row {
  label: string;
  value: string;
}

function leadRows(lead: LeadSummary, kind: Notice['kind']): Row[] {
  const rows: Row[] = [{ label: 'Name', value: displayName(lead) }];
  if (lead.email !== null && lead.email !== '') rows.push({ label: 'Email', value: singleLine(lead.email) });
  if (lead.phone !== null && lead.phone !== '') rows.push({ label: 'Phone', value: singleLine(lead.phone) });
  if (rows.length === 1) rows.push({ label: 'Contact', value: contactLine(lead) });
  rows.push(
    { label: 'Source', value: truncate(singleLine(lead.source), 200) },
    { label: 'Quality', value: `${qualityLabel(lead.quality)} (score ${lead.score})` },
    { label: 'Respond by', value: formatUtc(lead.slaDeadline) },
  );
  if (kind !== 'lead.created') rows.push({ label: 'Received', value: formatUtc(lead.createdAt) });
  return rows;
}

const STYLE_TABLE = 'border-collapse:collapse;font-family:Arial,sans-serif;font-size:14px';
const STYLE_TH = 'text-align:left;padding:4px 12px 4px 0;color:#555;vertical-align:top';
const STYLE_TD = 'padding:4px 0;vertical-align:top';

function htmlDocument(heading: string, body: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:Arial,sans-serif;font-size:14px;color:#222">',
    `<h2 style="font-size:18px;margin:0 0 12px">${escapeHtml(heading)}</h2>`,
    body,
    '</body></html>',
  ].join('\n');
}

function htmlLink(url: string, label: string): string {
  return `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`;
}

function formatLeadNotice(notice: LeadNotice): Body {
  const { lead } = notice;
  const headline = noticeHeadline(notice);
  const rows = leadRows(lead, notice.kind);
  const assigned = assigneeLine(notice);
  if (assigned !== null) rows.push({ label: 'Owner', value: assigned });
  const message = lead.message === null ? '' : truncate(lead.message.trim(), MAX_MESSAGE_CHARS);

  const htmlRows = rows
    .map((row) => `<tr><th style="${STYLE_TH}">${escapeHtml(row.label)}</th><td style="${STYLE_TD}">${escapeHtml(row.value)}</td></tr>`)
    .join('\n');
  const htmlParts = [`<table style="${STYLE_TABLE}">\n${htmlRows}\n</table>`];
  if (message !== '') {
    htmlParts.push(
      '<p style="margin:16px 0 4px;color:#555">Message</p>',
      `<blockquote style="margin:0;padding:8px 12px;border-left:3px solid #ccc;white-space:pre-wrap">${escapeHtml(message)}</blockquote>`,
    );
  }
  if (lead.teamLink !== undefined) htmlParts.push(htmlLink(lead.teamLink, 'Claim or mark as answered'));
  htmlParts.push(htmlLink(lead.adminUrl, 'Open the lead in Leadline'));

  const textParts = [headline, '', ...rows.map((row) => `${row.label}: ${row.value}`)];
  if (message !== '') textParts.push('', 'Message:', message);
  textParts.push('');
  if (lead.teamLink !== undefined) textParts.push(`Claim or mark as answered: ${lead.teamLink}`);
  textParts.push(`Open the lead: ${lead.adminUrl}`, '');

  return { subject: headline, html: htmlDocument(headline, htmlParts.join('\n')), text: textParts.join('\n') };
}

function formatOperatorNotice(notice: Extract<Notice, { kind: 'operator' }>, adminBaseUrl: string | undefined): Body {
  const headline = noticeHeadline(notice);
  const detail = truncate(notice.detail.trim(), MAX_DETAIL_CHARS);
  const htmlParts = [`<p style="white-space:pre-wrap">${escapeHtml(detail)}</p>`];
  const textParts = [headline, '', detail];
  if (adminBaseUrl !== undefined) {
    htmlParts.push(htmlLink(adminBaseUrl, 'Open the Leadline admin panel'));
    textParts.push('', `Admin panel: ${adminBaseUrl}`);
  }
  textParts.push('');
  return { subject: headline, html: htmlDocument(headline, htmlParts.join('\n')), text: textParts.join('\n') };
}

function summaryItem(notice: Notice): { text: string; html: string } {
  const tag = noticeTag(notice);
  if (notice.kind === 'digest') {
    const name = noticeName(notice);
    return { text: `- [${tag}] ${name}`, html: `<li><strong>${tag}</strong> ${escapeHtml(name)}</li>` };
  }
  if (notice.kind === 'operator') {
    const title = truncate(singleLine(notice.title), 200);
    const detail = truncate(singleLine(notice.detail), 500);
    return {
      text: `- [${tag}] ${title}: ${detail}`,
      html: `<li><strong>${escapeHtml(tag)}</strong> ${escapeHtml(title)}: ${escapeHtml(detail)}</li>`,
    };
  }
  const { lead } = notice;
  const name = displayName(lead);
  const rest = `${truncate(singleLine(lead.source), 100)}, respond by ${formatUtc(lead.slaDeadline)}`;
  return {
    text: `- [${tag}] ${name} (${rest}) ${lead.adminUrl}`,
    html: `<li><strong>${escapeHtml(tag)}</strong> <a href="${escapeHtml(lead.adminUrl)}">${escapeHtml(name)}</a> (${escapeHtml(rest)})</li>`,
  };
}

function formatSummary(notices: readonly Notice[]): Body {
  const headline = summaryHeadline(notices);
  const items = notices.map(summaryItem);
  const subject = `${headline}: ${notices.map(noticeName).join(', ')}`;
  return {
    subject,
    html: htmlDocument(headline, `<ul>\n${items.map((item) => item.html).join('\n')}\n</ul>`),
    text: [headline, '', ...items.map((item) => item.text), ''].join('\n'),
  };
}

export interface EmailFormatOptions {
  /** Base URL of the admin panel; when set, operator alerts link to it. */
  adminBaseUrl?: string;
}

/**
 * Formats one outgoing message as an email: subject (`New HOT lead: Ada Lovelace`, `SLA at risk: ...`,
 * `SLA breached: ...`, `Leadline alert: ...`), a plain-text and an HTML part with all user text escaped, and
 * a deterministic Message-ID. Several notices give one summary naming each of them.
 */
export function formatEmailMessage(message: OutgoingMessage, options: EmailFormatOptions = {}): EmailContent {
  const { notices } = message;
  const [first] = notices;
  if (first === undefined) throw new RangeError('an outgoing message needs at least one notice');
  if (first.kind === 'lead.event') throw new RangeError(NOT_AN_ALERT);
  let content: Body;
  if (notices.length > 1) content = formatSummary(notices);
  // The digest module renders its own email; it is trusted markup, sent as it is.
  else if (first.kind === 'digest') content = { subject: first.subject, text: first.text, html: first.html };
  else if (first.kind === 'operator') content = formatOperatorNotice(first, options.adminBaseUrl);
  else content = formatLeadNotice(first);
  return {
    ...content,
    audience: notices.length === 1 && first.kind === 'digest' ? 'digest' : 'alert',
    // Subjects are one header line: user text must not be able to add line breaks (header injection).
    subject: truncate(singleLine(content.subject), MAX_SUBJECT_CHARS),
    messageId: emailMessageId(message.messageKey),
  };
}
