import type { Notice, OutgoingMessage } from '../channel.ts';
import { isLeadNotice, noticeHeadline, noticeName, summaryHeadline } from '../notice-text.ts';

/** The structured part of a log line: ids and facts to act on, never contact details or free text. */
export interface LogNoticeFields {
  kind: Notice['kind'];
  eventId: string;
  leadId?: string;
  quality?: string;
  score?: number;
  source?: string;
  slaDeadline?: string;
  adminUrl?: string;
  /** The one-tap link; the logger redacts its token (logs never hold one), so the line shows where it points. */
  teamLink?: string;
}

export interface LogEntry {
  fields: { channel: 'log'; messageKey: string; notices: LogNoticeFields[] };
  text: string;
}

function noticeFields(notice: Notice): LogNoticeFields {
  if (!isLeadNotice(notice)) return { kind: notice.kind, eventId: notice.eventId };
  const { lead } = notice;
  return {
    kind: notice.kind,
    eventId: notice.eventId,
    leadId: lead.id,
    quality: lead.quality,
    score: lead.score,
    source: lead.source,
    slaDeadline: lead.slaDeadline.toISOString(),
    adminUrl: lead.adminUrl,
    ...(lead.teamLink === undefined ? {} : { teamLink: lead.teamLink }),
  };
}

const LOG_HEADLINES: Record<string, string> = {
  'lead.created': 'New',
  'sla.warning': 'SLA at risk for',
  'sla.breached': 'SLA breached for',
};

/** A headline without personal data: the lead's quality, source and id instead of its name. */
function logHeadline(notice: Notice): string {
  if (!isLeadNotice(notice)) return noticeHeadline(notice);
  const { lead } = notice;
  return `${LOG_HEADLINES[notice.kind] ?? notice.kind} ${lead.quality.toUpperCase()} lead from ${lead.source}: ${lead.adminUrl}`;
}

/**
 * Formats a message for the log channel. Name, email, phone and the lead's own message are left out
 * entirely: pino redacts keys, but a log line's text is not redacted, and logs travel further than the
 * database. The admin-panel link in the line leads to the person.
 */
export function formatLogEntry(message: OutgoingMessage): LogEntry {
  const { notices } = message;
  const [first] = notices;
  if (first === undefined) throw new RangeError('an outgoing message needs at least one notice');
  const text =
    notices.length === 1
      ? logHeadline(first)
      : `${summaryHeadline(notices)}: ${notices.map((notice) => (isLeadNotice(notice) ? `${notice.lead.quality.toUpperCase()} ${notice.lead.id}` : noticeName(notice))).join(', ')}`;
  return { fields: { channel: 'log', messageKey: message.messageKey, notices: notices.map(noticeFields) }, text };
}
