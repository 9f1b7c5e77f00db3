import { escapeHtml } from '../channels/escape-html.ts';
import { MAX_NAME_CHARS, qualityLabel, singleLine, truncate } from '../channels/notice-text.ts';
import type { Digest } from './build-digest.ts';

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

/** `45s`, `4m 05s`, `2h 03m`, `1d 4h`; an em dash when there is nothing to measure. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '\u2014';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${value}%`;
}

const nameOf = (name: string | null) => {
  const clean = name === null ? '' : singleLine(name);
  return clean === '' ? 'Unnamed lead' : truncate(clean, MAX_NAME_CHARS);
};

/**
 * The digest as an email subject, a plain-text body (also what Slack shows) and an HTML body. Pure, so the
 * exact wording is tested without a database. Lead names are user input: single-lined, cut and escaped.
 */
export function renderDigest(digest: Digest, options: { adminUrl?: string | undefined } = {}): RenderedDigest {
  const { leads, response, sla, breaches, failedDeliveries } = digest;
  const subject = `Leadline digest ${digest.date}: ${leads.total} lead${leads.total === 1 ? '' : 's'}, SLA ${percent(sla.compliancePercent)}, ${breaches.total} breach${breaches.total === 1 ? '' : 'es'}`;

  const lines: string[] = [
    `Leadline daily digest for ${digest.date} (${digest.timeZone})`,
    '',
    `Leads: ${leads.total} (hot ${leads.byQuality.hot}, warm ${leads.byQuality.warm}, cold ${leads.byQuality.cold})`,
    ...leads.bySource.map((row) => `  ${row.source}: ${row.total} (hot ${row.hot}, warm ${row.warm}, cold ${row.cold})`),
    '',
    `Answered: ${response.answered} of ${leads.total}; still waiting: ${response.unanswered}`,
    `Time to first response: median ${formatSeconds(response.medianSeconds)}, p90 ${formatSeconds(response.p90Seconds)}`,
    ...speedLines(digest).map((line) => `  ${line}`),
    `SLA compliance: ${percent(sla.compliancePercent)} (${sla.met} met, ${sla.missed} missed, ${sla.pending} pending)`,
    `SLA breaches: ${breaches.total}`,
    ...breaches.leads.map(
      (lead) =>
        `  ${qualityLabel(lead.quality)} ${nameOf(lead.name)} (${lead.source}), due ${lead.deadline.slice(0, 16).replace('T', ' ')} UTC`,
    ),
    ...(breaches.total > breaches.leads.length ? [`  and ${breaches.total - breaches.leads.length} more`] : []),
    `Failed deliveries: ${failedDeliveries.total}${failedDeliveries.byChannel.length > 0 ? ` (${failedDeliveries.byChannel.map((row) => `${row.channel} ${row.count}`).join(', ')})` : ''}`,
  ];
  if (options.adminUrl) lines.push('', `Open the admin panel: ${options.adminUrl}`);
  const text = lines.join('\n');

  const cell = (value: string | number) => `<td style="padding:2px 8px">${escapeHtml(String(value))}</td>`;
  const sourceRows = leads.bySource
    .map((row) => `<tr>${cell(row.source)}${cell(row.total)}${cell(row.hot)}${cell(row.warm)}${cell(row.cold)}</tr>`)
    .join('');
  const breachItems = breaches.leads
    .map(
      (lead) =>
        `<li>${escapeHtml(`${qualityLabel(lead.quality)} ${nameOf(lead.name)} (${lead.source}), due ${lead.deadline.slice(0, 16).replace('T', ' ')} UTC`)}</li>`,
    )
    .join('');
  const html = [
    `<h2>Leadline daily digest for ${escapeHtml(digest.date)} (${escapeHtml(digest.timeZone)})</h2>`,
    `<p><strong>Leads:</strong> ${leads.total} (hot ${leads.byQuality.hot}, warm ${leads.byQuality.warm}, cold ${leads.byQuality.cold})</p>`,
    sourceRows
      ? `<table><thead><tr><th align="left">Source</th><th>Total</th><th>Hot</th><th>Warm</th><th>Cold</th></tr></thead><tbody>${sourceRows}</tbody></table>`
      : '',
    '<ul>',
    `<li>Answered: ${response.answered} of ${leads.total}; still waiting: ${response.unanswered}</li>`,
    `<li>Time to first response: median ${formatSeconds(response.medianSeconds)}, p90 ${formatSeconds(response.p90Seconds)}${
      speedLines(digest).length > 0
        ? `<ul>${speedLines(digest)
            .map((line) => `<li>${escapeHtml(line)}</li>`)
            .join('')}</ul>`
        : ''
    }</li>`,
    `<li>SLA compliance: ${percent(sla.compliancePercent)} (${sla.met} met, ${sla.missed} missed, ${sla.pending} pending)</li>`,
    `<li>SLA breaches: ${breaches.total}${breachItems ? `<ul>${breachItems}</ul>` : ''}${breaches.total > breaches.leads.length ? ` and ${breaches.total - breaches.leads.length} more` : ''}</li>`,
    `<li>Failed deliveries: ${failedDeliveries.total}${failedDeliveries.byChannel.length > 0 ? ` (${escapeHtml(failedDeliveries.byChannel.map((row) => `${row.channel} ${row.count}`).join(', '))})` : ''}</li>`,
    '</ul>',
    options.adminUrl ? `<p><a href="${escapeHtml(options.adminUrl)}">Open the admin panel</a></p>` : '',
  ].join('\n');
  return { subject, text, html };
}

/** Speed to lead per agent, then per source: `Ada (agent): median 4m 10s, p90 9m 00s, 3 answered`. */
function speedLines(digest: Digest): string[] {
  const figure = (times: { answered: number; median_seconds: number | null; p90_seconds: number | null }) =>
    `median ${formatSeconds(times.median_seconds)}, p90 ${formatSeconds(times.p90_seconds)}, ${times.answered} answered`;
  const speed = digest.speedToLead ?? { by_agent: [], by_source: [] };
  return [
    ...speed.by_agent.map((row) => `${row.name} (agent): ${figure(row)}`),
    ...speed.by_source.map((row) => `${row.source} (source): ${figure(row)}`),
  ];
}
