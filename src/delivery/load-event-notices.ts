import type { LeadEventNotice } from '../channels/channel.ts';
import type { Queryable } from '../db/create-pool.ts';
import { WEBHOOK_EVENT_TYPES, type EventType } from '../events/event-types.ts';
import type { LeadQuality, LeadStatus } from '../leads/lead-vocabulary.ts';
import type { DeliveryNotice } from './load-delivery-notices.ts';

interface EventLeadRow {
  id: string;
  event_type: EventType;
  conversation_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  lead_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  external_id: string | null;
  subject: string | null;
  message: string | null;
  service_type: string | null;
  urgency: string | null;
  property_id: string | null;
  property_title: string | null;
  custom_fields: Record<string, unknown>;
  quality: LeadQuality;
  score: number;
  status: LeadStatus;
  metadata: Record<string, unknown>;
  consent: unknown;
  created_at: Date;
  updated_at: Date;
  sla_response_deadline: Date;
  first_response_at: Date | null;
  sla_breached: boolean;
  assigned_to: string | null;
  assignee: { id: string; name: string; email: string | null; role: 'agent' | 'manager' } | null;
}

const isWebhookEvent = (type: EventType): type is LeadEventNotice['eventType'] => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Builds the `lead.event` notice of each event (by id) in one query, for channels that receive events: the
 * event's facts and the whole lead as it is now, so a receiver always gets the lead's latest state even when
 * deliveries arrive out of order. An event whose lead is gone gets no notice (the worker closes it as
 * skipped), with the agent it is assigned to now.
 */
export async function loadEventNotices(db: Queryable, eventIds: string[], adminBaseUrl: string): Promise<Map<string, DeliveryNotice>> {
  const { rows } = await db.query<EventLeadRow>({
    name: 'load-event-notices',
    text: /* sql */ `
      SELECT e.id::text, e.event_type, e.conversation_id, e.payload, e.created_at AS occurred_at,
             c.id AS lead_id, c.name, c.email, c.phone, c.source, c.external_id, c.subject, c.message, c.service_type,
             c.urgency, c.property_id, c.property_title, c.custom_fields, c.quality, c.score, c.status, c.metadata,
             c.consent, c.created_at, c.updated_at, c.sla_response_deadline, c.first_response_at, c.sla_breached,
             c.assigned_to,
             (SELECT jsonb_build_object('id', a.id, 'name', a.name, 'email', a.email, 'role', a.role) FROM agents a WHERE a.id = c.assigned_to) AS assignee
      FROM lead_events e
      -- By primary key, whatever the statistics say (see load-delivery-notices.ts).
      CROSS JOIN LATERAL (SELECT * FROM conversations WHERE id = e.conversation_id LIMIT 1) c
      WHERE e.id = ANY($1::bigint[])`,
    values: [eventIds],
  });
  const notices = new Map<string, DeliveryNotice>();
  for (const row of rows) {
    if (!isWebhookEvent(row.event_type)) continue;
    const notice = {
      kind: 'lead.event',
      eventId: row.id,
      eventType: row.event_type,
      occurredAt: row.occurred_at,
      // The payload is the event's typed payload (event-types.ts): written only through newEvent.
      facts: row.payload,
      lead: {
        id: row.lead_id,
        name: row.name,
        email: row.email,
        phone: row.phone,
        source: row.source,
        quality: row.quality,
        score: row.score,
        message: row.message,
        createdAt: row.created_at,
        slaDeadline: row.sla_response_deadline,
        adminUrl: `${adminBaseUrl}/admin#/leads/${row.lead_id}`,
        externalId: row.external_id,
        subject: row.subject,
        serviceType: row.service_type,
        urgency: row.urgency,
        propertyId: row.property_id,
        propertyTitle: row.property_title,
        customFields: row.custom_fields,
        status: row.status,
        metadata: row.metadata,
        consent: row.consent,
        updatedAt: row.updated_at,
        firstResponseAt: row.first_response_at,
        slaBreached: row.sla_breached,
        assignedTo: row.assigned_to,
        assigneeAgent: row.assignee,
      },
    } as LeadEventNotice;
    notices.set(row.id, { notice, eventType: row.event_type, conversationId: row.conversation_id });
  }
  return notices;
}
