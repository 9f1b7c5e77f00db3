import { ApiError, type AdminApi, type SlaResponse } from './api.ts';
import { qualityBadge } from './badges.ts';
import { activates, byId, h } from './dom.ts';
import { countdown } from './format-time.ts';

/** The banner names this many leads; the rest are counted. */
const SHOWN_LEADS = 12;

export interface SlaBanner {
  /** Reads the at-risk and breached leads; resolves to the step that draws them. */
  load(): Promise<() => void>;
  /** Redraws the countdowns without asking the server. */
  redraw(): void;
}

/**
 * The unanswered leads at risk or past their deadline (GET /api/admin/sla), in the server's order: soonest
 * deadline first, so the most overdue lead leads. Hidden when there are none, or when the SLA routes are
 * not deployed (404).
 */
export function createSlaBanner(deps: { api: AdminApi; openLead: (id: string) => void }): SlaBanner {
  const banner = byId('sla-banner');
  let overview: SlaResponse | null = null;

  async function load(): Promise<() => void> {
    let next: SlaResponse | null;
    try {
      next = await deps.api.sla();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      next = null;
    }
    return () => {
      overview = next;
      draw();
    };
  }

  function draw(): void {
    if (!overview || overview.leads.length === 0) {
      banner.hidden = true;
      banner.replaceChildren();
      return;
    }
    const { breached, at_risk: atRisk, leads } = overview;
    const parts: string[] = [];
    if (breached > 0) parts.push(`${breached} ${breached === 1 ? 'lead has' : 'leads have'} breached the response deadline`);
    if (atRisk > 0) parts.push(`${atRisk} at risk`);
    const shown = leads.slice(0, SHOWN_LEADS);
    const more = breached + atRisk - shown.length;
    banner.dataset['level'] = breached > 0 ? 'breached' : 'at_risk';
    banner.replaceChildren(
      h('div', { class: 'sla-banner-title' }, parts.join(' · ')),
      h(
        'ul',
        { class: 'sla-list' },
        shown.map((lead) =>
          h(
            'li',
            { class: 'sla-item', dataset: { state: lead.sla_state, id: lead.id }, ...activates(() => deps.openLead(lead.id)) },
            qualityBadge(lead.quality),
            h('span', { class: 'sla-name' }, lead.name || '(no name)'),
            h('span', { class: 'sla-when' }, countdown(lead.sla_deadline)),
          ),
        ),
        more > 0 ? h('li', { class: 'muted' }, `+${more} more`) : null,
      ),
    );
    banner.hidden = false;
  }

  return { load, redraw: draw };
}
