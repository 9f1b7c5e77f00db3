/** Builders of channel inputs for tests and the benchmark: realistic defaults, override what matters. */
import type { LeadEventNotice, LeadRecord, LeadSummary, Notice, OutgoingMessage } from '../../src/channels/channel.ts';

export const NASTY_NAME = '<b>_*[ & @channel <!here>';

export function makeLead(overrides: Partial<LeadSummary> = {}): LeadSummary {
  const id = overrides.id ?? '0196a1b2-0000-7000-8000-000000000001';
  return {
    id,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+442071838750',
    source: 'contact_form',
    quality: 'hot',
    score: 87,
    message: 'Please call me about the analytical engine.',
    createdAt: new Date('2025-05-01T14:00:00Z'),
    slaDeadline: new Date('2025-05-01T14:15:00Z'),
    adminUrl: `http://127.0.0.1:3000/admin#/leads/${id}`,
    ...overrides,
  };
}

export function leadCreated(overrides: Partial<LeadSummary> = {}, eventId = 'evt-1'): Notice {
  return { kind: 'lead.created', eventId, lead: makeLead(overrides) };
}

export function makeMessage(notices: Notice[], messageKey = `${notices[0]?.eventId ?? 'evt'}:test`): OutgoingMessage {
  return { notices, messageKey };
}

/** `count` new leads with distinct names, ids and qualities, e.g. for coalesced summaries. */
export function manyLeadsCreated(count: number): Notice[] {
  const qualities = ['hot', 'warm', 'cold'] as const;
  return Array.from({ length: count }, (_, index) => {
    const n = String(index + 1).padStart(4, '0');
    return leadCreated(
      { id: `0196a1b2-0000-7000-8000-00000000${n}`, name: `Lead ${n}`, quality: qualities[index % 3] ?? 'cold' },
      `evt-${n}`,
    );
  });
}

/** A forwarded lead event (what webhook channels receive) for the lead of makeLead, with every record field. */
export function leadEvent(
  overrides: { lead?: Partial<LeadRecord>; eventId?: string } = {},
  event: Pick<LeadEventNotice, 'eventType' | 'facts'> = {
    eventType: 'lead.created',
    facts: { source: 'contact_form', quality: 'hot', score: 87, sla_deadline: '2025-05-01T14:15:00.000Z' },
  },
): LeadEventNotice {
  const lead: LeadRecord = {
    ...makeLead(),
    externalId: null,
    subject: 'Analytical engine',
    serviceType: null,
    urgency: 'high',
    propertyId: null,
    propertyTitle: null,
    customFields: { budget: '5k' },
    status: 'new',
    metadata: { utm_source: 'newsletter' },
    consent: { marketing: true },
    updatedAt: new Date('2025-05-01T14:00:00Z'),
    firstResponseAt: null,
    slaBreached: false,
    assignedTo: null,
    ...overrides.lead,
  };
  return {
    kind: 'lead.event',
    eventId: overrides.eventId ?? '4711',
    occurredAt: new Date('2025-05-01T14:00:01Z'),
    lead,
    ...event,
  } as LeadEventNotice;
}
