import type { AdminStats } from '../get-admin-stats.ts';
import type { AdminApi, StatsResponse } from './api.ts';
import { byId, h } from './dom.ts';

/** The keys the cards below show; any other numeric top-level key is a plug-in's number and gets a card of its own. */
const KNOWN_STAT_KEYS = new Set<string>(['leads', 'sla', 'deliveries', 'dead_letters', 'outbox', 'generated_at'] satisfies (
  keyof AdminStats | 'generated_at'
)[]);

export interface StatCards {
  /** Reads the stats; resolves to the step that draws them. */
  load(): Promise<() => void>;
}

/** The summary strip, the dead-letter count on its tab, and the known sources the source filter suggests. */
export function createStatCards(deps: { api: AdminApi }): StatCards {
  return {
    async load() {
      const stats = await deps.api.stats();
      return () => draw(stats);
    },
  };
}

function card(label: string, value: string, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'stat card', dataset: { stat: label } },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    note ? h('div', { class: 'stat-note' }, note) : null,
  );
}

function draw(stats: StatsResponse): void {
  const { leads, sla, dead_letters: dead, outbox } = stats;
  const cards = [
    card('Today', String(leads.today), `${leads.total} in total`),
    card('New', String(leads.by_status['new'] ?? 0), 'waiting for a first answer'),
    card('Hot', String(leads.by_quality['hot'] ?? 0), 'all time'),
    card('SLA compliance', sla.compliance_percent === null ? '—' : `${sla.compliance_percent}%`, `last ${sla.window_days} days`),
    card('Overdue', String(sla.overdue), `${sla.at_risk} at risk`),
    card('Dead letters', String(dead.total)),
    card('Outbox', String(outbox.unprocessed), 'events waiting'),
  ];
  // Numbers other modules plug in (e.g. Meta leads recovered by polling) show up as extra cards.
  for (const [name, value] of Object.entries(stats)) {
    if (!KNOWN_STAT_KEYS.has(name) && typeof value === 'number') cards.push(card(name.replace(/_/g, ' '), String(value)));
  }
  byId('stats').replaceChildren(...cards);

  const deadCount = byId('dead-count');
  deadCount.textContent = String(dead.total);
  deadCount.hidden = dead.total === 0;
  byId('known-sources').replaceChildren(
    ...Object.keys(leads.by_source)
      .sort()
      .map((source) => h('option', { value: source })),
  );
}
