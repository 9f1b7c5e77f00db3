import type { AdminApi, AgentInput, AgentRow, StatsResponse } from './api.ts';
import { byId, h } from './dom.ts';
import { formatDuration } from './format-time.ts';
import { reportError, toast } from './notify.ts';

export interface TeamPage {
  /** Reads the agents and the speed-to-lead figures; resolves to the step that draws them. */
  load(): Promise<() => void>;
}

const seconds = (value: number | null) => (value === null ? '—' : formatDuration(value * 1000));

/**
 * The "Team" view: the agents (add, edit, make inactive) and the speed-to-lead figures per agent and per
 * source. The form is the page's; editing an agent fills it, saving PATCHes only what the form holds.
 */
export function createTeamPage(deps: { api: AdminApi; refresh: () => void }): TeamPage {
  const table = byId('team-agents', HTMLTableElement);
  const speed = byId('team-speed', HTMLTableElement);
  const form = byId('agent-form', HTMLFormElement);
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;

  function fill(agent: AgentRow | null): void {
    field('id').value = agent?.id ?? '';
    field('name').value = agent?.name ?? '';
    field('email').value = agent?.email ?? '';
    field('telegram_chat_id').value = agent?.telegram_chat_id ?? '';
    field('slack_webhook_url').value = '';
    (field('slack_webhook_url') as HTMLInputElement).placeholder = agent?.slack_webhook_url_set
      ? 'set (leave empty to keep)'
      : 'https://hooks.slack.com/services/…';
    field('role').value = agent?.role ?? 'agent';
    field('sources').value = agent?.sources?.join(', ') ?? '';
    (field('active') as HTMLInputElement).checked = agent?.active ?? true;
    byId('agent-submit').textContent = agent ? 'Save agent' : 'Add agent';
  }

  function readForm(editing: boolean): AgentInput {
    const text = (name: string) => field(name).value.trim();
    const orNull = (name: string) => (text(name) === '' ? null : text(name));
    const sources = text('sources')
      .split(',')
      .map((source) => source.trim())
      .filter((source) => source !== '');
    const body: AgentInput = {
      name: text('name'),
      email: orNull('email'),
      telegram_chat_id: orNull('telegram_chat_id'),
      role: field('role').value === 'manager' ? 'manager' : 'agent',
      sources: sources.length > 0 ? sources : null,
      active: (field('active') as HTMLInputElement).checked,
    };
    // The webhook URL is never shown back: an empty field on an edit keeps the one stored.
    if (text('slack_webhook_url') !== '' || !editing) body.slack_webhook_url = orNull('slack_webhook_url');
    return body;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = field('id').value;
    const body = readForm(id !== '');
    (id ? deps.api.updateAgent(id, body) : deps.api.createAgent(body)).then(
      (agent) => {
        toast(id ? `Saved ${agent.name}.` : `Added ${agent.name}.`);
        fill(null);
        deps.refresh();
      },
      (error: unknown) => reportError(id ? 'Could not save the agent' : 'Could not add the agent', error),
    );
  });
  byId('agent-reset').addEventListener('click', () => fill(null));

  function draw(agents: AgentRow[], stats: StatsResponse): void {
    table.tBodies[0]?.replaceChildren(
      ...agents.map((agent) =>
        h(
          'tr',
          { dataset: { agent: agent.id, active: String(agent.active) } },
          h('td', {}, agent.name),
          h('td', {}, agent.role),
          h('td', {}, agent.email ?? ''),
          h('td', {}, agent.telegram_chat_id ?? ''),
          h('td', {}, agent.slack_webhook_url_set ? 'yes' : ''),
          h('td', {}, agent.sources?.join(', ') ?? 'all'),
          h('td', {}, agent.active ? 'active' : 'inactive'),
          h('td', {}, h('button', { type: 'button', class: 'small', onclick: () => fill(agent) }, 'Edit')),
        ),
      ),
    );
    byId('team-agents-empty').hidden = agents.length > 0;
    const figures = stats.speed_to_lead;
    const row = (label: string, times: { answered: number; median_seconds: number | null; p90_seconds: number | null }) =>
      h(
        'tr',
        {},
        h('td', {}, label),
        h('td', {}, times.answered),
        h('td', {}, seconds(times.median_seconds)),
        h('td', {}, seconds(times.p90_seconds)),
      );
    speed.tBodies[0]?.replaceChildren(
      row('Everyone', figures.overall),
      ...figures.by_agent.map((entry) => row(`Agent: ${entry.name}`, entry)),
      ...(figures.unassigned.answered > 0 ? [row('Nobody assigned', figures.unassigned)] : []),
      ...figures.by_source.map((entry) => row(`Source: ${entry.source}`, entry)),
    );
  }

  return {
    async load() {
      const [agents, stats] = await Promise.all([deps.api.agents(), deps.api.stats()]);
      return () => draw(agents.items, stats);
    },
  };
}
