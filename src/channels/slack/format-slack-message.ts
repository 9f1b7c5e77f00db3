import type { LeadSummary, Notice, OutgoingMessage } from '../channel.ts';
import type { LeadNotice } from '../notice-text.ts';
import {
  contactLine,
  displayName,
  formatUtc,
  messageExcerpt,
  assigneeLine,
  noticeHeadline,
  isLeadNotice,
  noticeName,
  noticeTag,
  qualityLabel,
  singleLine,
  summaryHeadline,
  truncate,
  NOT_AN_ALERT,
} from '../notice-text.ts';
import { escapeSlackText, slackCode, slackDate, slackLink } from './escape-slack-text.ts';

/*
 * Slack's documented limits, with margin: a section's text at most 3,000 characters, a field 2,000 (our
 * fields are bounded far below: contact 300 characters, at most 1,500 escaped), at most
 * 10 fields per section and 50 blocks per message; `text` is truncated by Slack past 40,000 and is only the
 * notification fallback when blocks are present, so we keep it short.
 */
const MAX_SECTION_CHARS = 3000;
const MAX_BLOCKS = 50;
const MAX_FALLBACK_TEXT_CHARS = 3000;
const MAX_SOURCE_CHARS = 60;
const MAX_CONTACT_PART_CHARS = 150;
const MAX_OPERATOR_DETAIL_CHARS = 2500;
const MAX_SUMMARY_DETAIL_CHARS = 200;
/** An admin link longer than this is dropped rather than risk a section over Slack's limit. */
const MAX_LINK_URL_CHARS = 500;

export interface SlackText {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock =
  { type: 'section'; text: SlackText; fields?: SlackText[] } | { type: 'context'; elements: SlackText[] } | { type: 'divider' };

/** The JSON body of an incoming-webhook post. */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text };
}

function leadLink(lead: LeadSummary, label: string): string {
  return lead.adminUrl.length <= MAX_LINK_URL_CHARS ? slackLink(lead.adminUrl, label) : escapeSlackText(label);
}

/** Email and phone as code spans: exact to copy, never turned into links or formatting by Slack. */
function contactText(lead: LeadSummary): string {
  const parts = [lead.email, lead.phone].filter((part): part is string => part !== null && part !== '');
  if (parts.length === 0) return escapeSlackText(contactLine(lead));
  return parts.map((part) => slackCode(truncate(singleLine(part), MAX_CONTACT_PART_CHARS))).join(' / ');
}

/** Sources are short slugs (`google_ads`): a code span keeps their underscores from turning into italics. */
function sourceText(lead: LeadSummary): string {
  return slackCode(truncate(singleLine(lead.source), MAX_SOURCE_CHARS));
}

function formatLeadNotice(notice: LeadNotice): SlackBlock[] {
  const { lead } = notice;
  const [label, ...rest] = noticeHeadline(notice).split(': ');
  const headline = `*${escapeSlackText(label ?? '')}:* ${escapeSlackText(rest.join(': '))}`;
  const fields: SlackText[] = [
    mrkdwn(`*Contact*\n${contactText(lead)}`),
    mrkdwn(`*Source*\n${sourceText(lead)}`),
    mrkdwn(`*Quality*\n${qualityLabel(lead.quality)} (score ${lead.score})`),
    mrkdwn(`*Respond by*\n${slackDate(lead.slaDeadline, formatUtc(lead.slaDeadline))}`),
  ];
  if (notice.kind !== 'lead.created') {
    fields.push(mrkdwn(`*Received*\n${slackDate(lead.createdAt, formatUtc(lead.createdAt))}`));
  }
  const assigned = assigneeLine(notice);
  if (assigned !== null) fields.push(mrkdwn(`*Owner*\n${escapeSlackText(assigned)}`));
  const blocks: SlackBlock[] = [{ type: 'section', text: mrkdwn(headline), fields }];
  const excerpt = messageExcerpt(lead);
  if (excerpt !== null) blocks.push({ type: 'section', text: mrkdwn(`*Message*\n${escapeSlackText(excerpt)}`) });
  const links = [leadLink(lead, 'Open the lead in Leadline')];
  if (lead.teamLink !== undefined && lead.teamLink.length <= MAX_LINK_URL_CHARS)
    links.unshift(slackLink(lead.teamLink, 'Claim or mark as answered'));
  blocks.push({ type: 'context', elements: [mrkdwn(links.join('  ·  '))] });
  return blocks;
}

export interface SlackFormatOptions {
  /** Base URL of the admin panel; when set, operator alerts link to it. */
  adminBaseUrl?: string;
}

function adminLinkBlock(options: SlackFormatOptions): SlackBlock[] {
  const url = options.adminBaseUrl;
  if (url === undefined || url === '' || url.length > MAX_LINK_URL_CHARS) return [];
  return [{ type: 'context', elements: [mrkdwn(slackLink(url, 'Open the Leadline admin panel'))] }];
}

function formatOperatorNotice(notice: Extract<Notice, { kind: 'operator' }>, options: SlackFormatOptions): SlackBlock[] {
  const title = escapeSlackText(truncate(singleLine(notice.title), 200));
  const detail = escapeSlackText(truncate(notice.detail.trim(), MAX_OPERATOR_DETAIL_CHARS));
  return [{ type: 'section', text: mrkdwn(`*Leadline alert:* ${title}${detail === '' ? '' : `\n${detail}`}`) }, ...adminLinkBlock(options)];
}

/**
 * The digest arrives rendered; Slack gets its plain-text version, escaped, split at line ends into sections.
 * A digest longer than the block limit is cut, with a pointer to the email version and the admin panel.
 */
function formatDigest(notice: Extract<Notice, { kind: 'digest' }>, options: SlackFormatOptions): SlackPayload {
  const subject = noticeName(notice);
  // 500 characters stay under the 3,000 of a section even if every one is escaped to `&amp;`.
  const body = packLines(notice.text.split(/\r?\n/).map((line) => escapeSlackText(truncate(line, 500))));
  const link = adminLinkBlock(options);
  const room = MAX_BLOCKS - 1 - link.length;
  const more: SlackBlock = {
    type: 'section',
    text: mrkdwn('_The digest continues in the email version and the admin panel._'),
  };
  const kept = body.length <= room ? body : [...body.slice(0, room - 1), more];
  return {
    text: escapeSlackText(subject),
    blocks: [{ type: 'section', text: mrkdwn(`*${escapeSlackText(subject)}*`) }, ...kept, ...link],
  };
}

/** One bounded line per notice in a summary (at most a few hundred characters even fully escaped). */
function summaryLine(notice: Notice): string {
  const tag = `*${noticeTag(notice)}*`;
  if (notice.kind === 'operator') {
    const title = escapeSlackText(truncate(singleLine(notice.title), 80));
    const detail = escapeSlackText(truncate(singleLine(notice.detail), MAX_SUMMARY_DETAIL_CHARS));
    return `- ${tag} ${title}${detail === '' ? '' : `: ${detail}`}`;
  }
  if (notice.kind === 'digest') return `- ${tag} ${escapeSlackText(noticeName(notice))}`;
  const { lead } = notice;
  const deadline = slackDate(lead.slaDeadline, formatUtc(lead.slaDeadline));
  return `- ${tag} ${leadLink(lead, displayName(lead))} - ${sourceText(lead)} - respond by ${deadline}`;
}

function fallbackName(notice: Notice): string {
  if (isLeadNotice(notice)) return `${displayName(notice.lead)} (${qualityLabel(notice.lead.quality)})`;
  return `${notice.kind === 'operator' ? 'alert' : 'digest'} ${noticeName(notice)}`;
}

/** Packs lines into as few sections as fit the per-section limit; lines are never split. */
function packLines(lines: string[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && current.length + 1 + line.length > MAX_SECTION_CHARS) {
      sections.push({ type: 'section', text: mrkdwn(current) });
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') sections.push({ type: 'section', text: mrkdwn(current) });
  return sections;
}

function formatSummary(notices: readonly Notice[], options: SlackFormatOptions): SlackPayload {
  const headline = summaryHeadline(notices);
  const names = notices.map(fallbackName).join(', ');
  const text = escapeSlackText(truncate(`${headline}: ${names}`, MAX_FALLBACK_TEXT_CHARS));
  const blocks: SlackBlock[] = [
    { type: 'section', text: mrkdwn(`*${escapeSlackText(headline)}*`) },
    ...packLines(notices.map(summaryLine)),
    ...(notices.some((notice) => notice.kind === 'operator') ? adminLinkBlock(options) : []),
  ];
  if (blocks.length > MAX_BLOCKS) {
    // Unreachable with maxNoticesPerMessage = 50 (each line is bounded, several fit a section); if a caller
    // ever sends more, failing loudly beats a message Slack rejects or one that silently drops names.
    throw new RangeError(`a Slack summary of ${notices.length} notices needs ${blocks.length} blocks`);
  }
  return { text, blocks };
}

/**
 * Formats one outgoing message as an incoming-webhook payload. One notice gives a detailed card; several
 * give one summary that names every notice. All user text is escaped, so mentions in it never fire.
 */
export function formatSlackMessage(message: OutgoingMessage, options: SlackFormatOptions = {}): SlackPayload {
  const { notices } = message;
  const [first] = notices;
  if (first === undefined) throw new RangeError('an outgoing message needs at least one notice');
  if (first.kind === 'lead.event') throw new RangeError(NOT_AN_ALERT);
  if (notices.length > 1) return formatSummary(notices, options);
  if (first.kind === 'digest') return formatDigest(first, options);
  const text = escapeSlackText(noticeHeadline(first));
  const blocks = first.kind === 'operator' ? formatOperatorNotice(first, options) : formatLeadNotice(first);
  return { text, blocks };
}
