import type { LeadQuality, LeadStatus, SlaState } from '../../leads/lead-vocabulary.ts';
import { h } from './dom.ts';
import { absoluteTime, countdown, formatDuration } from './format-time.ts';

export function qualityBadge(quality: LeadQuality): HTMLElement {
  return h('span', { class: `badge ${quality}` }, quality);
}

export function statusBadge(status: LeadStatus): HTMLElement {
  return h('span', { class: `badge status-${status}` }, status);
}

/** What the table and the detail view need of a lead to show its response clock. */
export interface SlaFacts {
  sla_state: SlaState;
  sla_deadline: string;
  first_response_at: string | null;
}

/**
 * The server decides the state; the browser only words it, counting the deadline against its own clock so
 * "5 min left" keeps ticking between refreshes. An `open` or `at_risk` lead whose deadline passes since
 * the last refresh reads "1 min overdue" at once and changes colour with the refresh the SLA monitor's
 * `sla.breached` event brings.
 */
export function slaText(lead: SlaFacts): string {
  switch (lead.sla_state) {
    case 'met':
      return 'answered in time';
    case 'missed':
      return lead.first_response_at
        ? `answered ${formatDuration(Date.parse(lead.first_response_at) - Date.parse(lead.sla_deadline))} late`
        : 'answered late';
    case 'breached':
    case 'at_risk':
    case 'open':
      return countdown(lead.sla_deadline);
  }
}

export function slaElement(lead: SlaFacts): HTMLElement {
  return h(
    'span',
    { class: 'sla', dataset: { state: lead.sla_state }, title: `Deadline ${absoluteTime(lead.sla_deadline)}` },
    slaText(lead),
  );
}
