import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../events/event-types.ts';
import { LEAD_QUALITIES, LEAD_STATUSES } from '../../leads/lead-vocabulary.ts';
import type { LeadEventNotice } from '../channel.ts';

const isoTime = z.iso.datetime({ offset: true });

/** The lead as a receiver gets it: the record as it is when the webhook is sent, not when the event happened. */
export const webhookLeadSchema = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable().describe('E.164'),
  source: z.string(),
  external_id: z.string().nullable(),
  subject: z.string().nullable(),
  message: z.string().nullable(),
  service_type: z.string().nullable(),
  urgency: z.string().nullable(),
  property_id: z.string().nullable(),
  property_title: z.string().nullable(),
  custom_fields: z.record(z.string(), z.unknown()),
  quality: z.enum(LEAD_QUALITIES),
  score: z.number().int(),
  status: z.enum(LEAD_STATUSES),
  metadata: z.record(z.string(), z.unknown()).describe('UTM parameters, referrer, device, country'),
  consent: z.unknown(),
  created_at: isoTime,
  updated_at: isoTime,
  sla_deadline: isoTime,
  first_response_at: isoTime.nullable(),
  sla_breached: z.boolean(),
  assigned_to: z.string().nullable().describe('the id of the agent the lead is assigned to'),
  admin_url: z.url().describe('the lead in the admin panel'),
});

/**
 * What every outbound webhook's body is (Standard Webhooks: `type`, `timestamp`, `data`). `data.event` holds
 * the event's own facts (its payload: ids, enums, times, e.g. `from` and `to` of a status change) and its id,
 * the same as the `webhook-id` header, for receivers that cannot read headers.
 */
export const webhookPayloadSchema = z.object({
  type: z.enum(WEBHOOK_EVENT_TYPES),
  timestamp: isoTime.describe('when the event happened'),
  data: z.object({
    event: z.looseObject({ id: z.string() }),
    lead: webhookLeadSchema,
    assignee: z
      .object({ id: z.uuid(), name: z.string(), email: z.string().nullable(), role: z.enum(['agent', 'manager']) })
      .nullable()
      .describe('the agent the lead is assigned to now (for lead.assigned: the new owner), or null'),
  }),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

const iso = (date: Date) => date.toISOString();

/** The body of the webhook for one lead event; pure, so a test can hold it against the schema and the wire. */
export function formatWebhookPayload(notice: LeadEventNotice): WebhookPayload {
  const { lead } = notice;
  return {
    type: notice.eventType,
    timestamp: iso(notice.occurredAt),
    data: {
      event: { id: notice.eventId, ...notice.facts },
      lead: {
        id: lead.id,
        name: lead.name,
        email: lead.email,
        phone: lead.phone,
        source: lead.source,
        external_id: lead.externalId,
        subject: lead.subject,
        message: lead.message,
        service_type: lead.serviceType,
        urgency: lead.urgency,
        property_id: lead.propertyId,
        property_title: lead.propertyTitle,
        custom_fields: lead.customFields,
        quality: lead.quality,
        score: lead.score,
        status: lead.status,
        metadata: lead.metadata,
        consent: lead.consent,
        created_at: iso(lead.createdAt),
        updated_at: iso(lead.updatedAt),
        sla_deadline: iso(lead.slaDeadline),
        first_response_at: lead.firstResponseAt === null ? null : iso(lead.firstResponseAt),
        sla_breached: lead.slaBreached,
        assigned_to: lead.assignedTo,
        admin_url: lead.adminUrl,
      },
      assignee: lead.assigneeAgent ?? null,
    },
  };
}
