import type { TeamLinkLead } from './load-team-link-lead.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The page behind a team link: what the alert showed and two buttons that POST (a GET changes nothing, as
 * link previews and mail scanners fetch links). Plain HTML with inline styles and no script, so the page's
 * CSP can forbid everything but its own form posts.
 */
export function renderTeamLinkPage(input: {
  lead: TeamLinkLead;
  token: string;
  linkAgent: { id: string; name: string } | null;
  notice?: string;
}): string {
  const { lead, token, linkAgent } = input;
  const base = `/l/${encodeURIComponent(token)}`;
  const contact = [lead.email, lead.phone].filter((part): part is string => part !== null && part !== '').join(' / ') || 'no contact given';
  const rows: [string, string][] = [
    ['Contact', contact],
    ['Source', lead.source],
    ['Quality', lead.quality.toUpperCase()],
    ['Received', utc(lead.created_at)],
    ['Respond by', utc(lead.sla_deadline)],
    ['Status', lead.status],
    ['Owner', lead.assignee?.name ?? 'Unassigned'],
    ['Answered', lead.first_response_at === null ? 'not yet' : utc(lead.first_response_at)],
  ];
  const chooser =
    linkAgent !== null
      ? `<input type="hidden" name="agent_id" value="${escape(linkAgent.id)}"><button type="submit">Claim as ${escape(linkAgent.name)}</button>`
      : `<label>Agent <select name="agent_id" required>${lead.agents
          .map(
            (agent) =>
              `<option value="${escape(agent.id)}"${agent.id === lead.assignee?.id ? ' selected' : ''}>${escape(agent.name)}</option>`,
          )
          .join('')}</select></label> <button type="submit">Claim</button>`;
  const respond =
    lead.first_response_at === null
      ? `<form method="post" action="${base}/respond">${linkAgent === null ? '' : `<input type="hidden" name="agent_id" value="${escape(linkAgent.id)}">`}<button type="submit">Mark as answered</button></form>`
      : '<p>This lead has been answered.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>Lead: ${escape(lead.name ?? 'unnamed')}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem;color:#555}button{font-size:1rem;padding:.5rem 1rem;margin:.5rem 0}.notice{background:#eef;padding:.5rem 1rem}</style>
</head><body>
<h1>${escape(lead.name ?? 'Unnamed lead')}</h1>
${input.notice ? `<p class="notice">${escape(input.notice)}</p>` : ''}
<table>${rows.map(([label, value]) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`).join('')}</table>
<form method="post" action="${base}/claim">${lead.agents.length > 0 || linkAgent !== null ? chooser : '<p>No active agents to claim for.</p>'}</form>
${respond}
</body></html>`;
}
