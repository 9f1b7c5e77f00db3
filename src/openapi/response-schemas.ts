import { z } from 'zod';
import { AGENT_ROLES, LEAD_QUALITIES, LEAD_STATUSES, SLA_STATES } from '../leads/lead-vocabulary.ts';
import { TASK_STATUS_FILTERS } from '../sla/list-follow-up-tasks.ts';

/*
 * The answers of the routes whose handlers build them from TypeScript types rather than zod schemas, written
 * down once as zod so the OpenAPI document shows them and test/flows/openapi-responses.test.ts parses real
 * answers with them: a field renamed in a handler fails that test instead of drifting from the document.
 * Objects are open (`z.object`): a new field is not a breaking change for clients.
 */

/** A timestamp as the API writes it: ISO 8601, `Z` from JavaScript, `+00:00` from Postgres JSON. */
const time = z.iso.datetime({ offset: true });
const nullableTime = time.nullable();
const quality = z.enum(LEAD_QUALITIES);
const status = z.enum(LEAD_STATUSES);
const slaState = z.enum(SLA_STATES);
const jsonObject = z.record(z.string(), z.unknown());

/** RFC 9457 problem details as src/http/send-problem.ts writes them. */
export const problemSchema = z.object({
  type: z.string().describe('a URI naming the kind of problem, e.g. https://leadline.dev/problems/validation-failed'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('what went wrong and what to do about it, for a human'),
  code: z.string().optional().describe('the machine-readable code (validation_failed, unauthorized, …)'),
  errors: z
    .array(
      z.object({
        path: z.string().describe('dotted path of the offending field (`messages.0.role`); empty for the body as a whole'),
        message: z.string(),
      }),
    )
    .optional()
    .describe('one entry per invalid field, on validation failures'),
  request_id: z.string().optional().describe('the x-request-id of the request, to quote in a report'),
});

export const captureAcceptedSchema = z.object({
  id: z.guid(),
  quality,
  sla_deadline: time,
  duplicate: z.literal(true).optional().describe('the same idempotency key (or the same body within 10 minutes) was seen before'),
  spooled: z.literal(true).optional().describe('the database was away; the lead is durably in the spool and is written with this id'),
});

export const livenessSchema = z.object({ status: z.literal('ok'), uptime_seconds: z.number().int() });

const checkResult = z.object({
  status: z.enum(['ok', 'degraded', 'failing']),
  ms: z.number().int(),
  detail: z.string().optional().describe('the error text; only with the admin key'),
});

export const readinessSchema = z.object({
  status: z.enum(['ready', 'degraded', 'not ready', 'shutting down']),
  checks: z.record(z.string(), checkResult),
});

export const namedCheckSchema = z.union([checkResult, z.object({ status: z.literal('not_configured'), detail: z.string() })]);

const leadListItem = z.object({
  id: z.guid(),
  source: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  subject: z.string().nullable(),
  message_preview: z.string().nullable(),
  quality,
  score: z.number(),
  status,
  created_at: time,
  first_response_at: nullableTime,
  sla_deadline: time,
  sla_warning_at: time,
  sla_breached: z.boolean(),
  sla_state: slaState,
});

export const leadListSchema = z.object({
  items: z.array(leadListItem),
  next_cursor: z.string().nullable().describe('pass back as `cursor` for the next page; null on the last page'),
});

const deliveryStatus = z.enum(['pending', 'sending', 'sent', 'failed', 'dead', 'skipped']);

export const leadDetailSchema = z.object({
  lead: z.object({
    ...leadListItem.omit({ message_preview: true }).shape,
    external_id: z.string().nullable(),
    message: z.string().nullable(),
    service_type: z.string().nullable(),
    urgency: z.enum(['emergency', 'high', 'medium', 'low']).nullable(),
    property_id: z.string().nullable(),
    property_title: z.string().nullable(),
    custom_fields: jsonObject,
    score_reasons: z.array(z.unknown()),
    metadata: jsonObject,
    consent: jsonObject.nullable(),
    updated_at: time,
    sla_warned_at: nullableTime,
    sla_breached_at: nullableTime,
  }),
  messages: z.array(
    z.object({ id: z.number().int(), role: z.enum(['user', 'bot', 'agent']), content: z.string(), sent_at: time, position: z.number() }),
  ),
  timeline: z.array(
    z.object({
      id: z.number().int(),
      event_id: z.string().nullable(),
      event_type: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      actor_type: z.enum(['system', 'agent', 'customer', 'bot']),
      actor_id: z.string().nullable(),
      metadata: jsonObject,
      created_at: time,
    }),
  ),
  notifications: z.array(
    z.object({
      id: z.number().int(),
      event_id: z.string(),
      event_type: z.string(),
      channel: z.string(),
      status: deliveryStatus,
      attempt: z.number().int(),
      error_kind: z.enum(['transient', 'permanent', 'rate_limited', 'interrupted']).nullable(),
      error_message: z.string().nullable(),
      provider_message_id: z.string().nullable(),
      possible_duplicate: z.boolean(),
      created_at: time,
      finished_at: nullableTime,
      next_attempt_at: nullableTime,
    }),
  ),
  deliveries: z.array(
    z.object({
      event_id: z.string(),
      event_type: z.string(),
      channel: z.string(),
      status: deliveryStatus,
      attempt: z.number().int(),
      error_message: z.string().nullable(),
      finished_at: nullableTime,
      next_attempt_at: nullableTime,
    }),
  ),
  tasks: z.array(jsonObject),
});

export const respondResultSchema = z.object({
  id: z.guid(),
  status,
  first_response_at: time,
  within_sla: z.boolean(),
  sla_breached: z.boolean(),
  completed_task_ids: z.array(z.string()),
  already_responded: z.literal(true).optional(),
});

export const statusChangeSchema = z.object({
  id: z.guid(),
  status,
  previous_status: status,
  changed: z.boolean(),
  responded: z.boolean(),
  first_response_at: nullableTime,
  sla_breached: z.boolean(),
});

const counts = z.record(z.string(), z.number());

export const adminStatsSchema = z.object({
  leads: z.object({ total: z.number(), today: z.number(), by_status: counts, by_quality: counts, by_source: counts }),
  sla: z.object({
    window_days: z.number(),
    met: z.number(),
    missed: z.number(),
    compliance_percent: z.number().nullable(),
    at_risk: z.number(),
    overdue: z.number(),
  }),
  deliveries: z.record(z.string(), counts).describe('the latest attempt of each (event, channel), by channel and status'),
  dead_letters: z.object({ deliveries: z.number(), ingestion: z.number(), total: z.number() }),
  outbox: z.object({ unprocessed: z.number() }),
  generated_at: time,
});

export const slaOverviewSchema = z.object({
  at_risk: z.number().int(),
  breached: z.number().int(),
  leads: z.array(
    z.object({
      id: z.guid(),
      name: z.string().nullable(),
      source: z.string(),
      quality,
      status,
      sla_state: z.enum(['at_risk', 'breached']),
      created_at: time,
      sla_warning_at: time,
      sla_deadline: time,
      seconds_left: z.number().describe('negative once overdue'),
      task: z.object({ id: z.string(), status: z.string() }).nullable(),
    }),
  ),
});

const followUpTask = z.object({
  id: z.string(),
  conversation_id: z.guid(),
  kind: z.string(),
  title: z.string(),
  follow_up_date: time,
  status: z.enum(TASK_STATUS_FILTERS.filter((name) => name !== 'open' && name !== 'all') as ['scheduled', ...string[]]),
  sla_deadline: time,
  sla_breached: z.boolean(),
  created_at: time,
  completed_at: nullableTime,
  completed_by: z.string().nullable(),
  lead: z.object({ name: z.string().nullable(), quality: z.string(), source: z.string() }),
});

export const taskListSchema = z.object({ tasks: z.array(followUpTask) });
export const taskCompletedSchema = z.object({ task: followUpTask, already_done: z.literal(true).optional() });

export const deadLettersSchema = z.object({
  deliveries: z.array(
    z.object({
      id: z.string().describe('`delivery-<n>`: pass to POST /api/admin/failed/{id}/retry'),
      notification_log_id: z.string(),
      event_id: z.string(),
      event_type: z.string(),
      conversation_id: z.string().nullable(),
      lead_name: z.string().nullable(),
      channel: z.string(),
      attempt: z.number().int(),
      error_kind: z.string().nullable(),
      error_message: z.string().nullable(),
      failed_at: nullableTime,
    }),
  ),
  ingestion: z.array(
    z.object({
      id: z.string().describe('`ingestion-<n>`'),
      raw_lead_id: z.string(),
      source: z.string(),
      external_id: z.string().nullable(),
      status: z.string(),
      error_message: z.string().nullable(),
      attempts: z.number().int(),
      received_at: time,
    }),
  ),
});

export const retriedSchema = z.object({
  id: z.string(),
  retried: z.literal(true),
  channel: z.string().optional(),
  event_id: z.string().optional(),
});

export const deliverySwitchSchema = z.object({ paused: z.boolean() });

export const reconcileSummarySchema = z.object({
  resumed: z.boolean(),
  replay: jsonObject.describe('stored payloads (paused or failed) handed back to the ingest queue'),
  forms: z.array(jsonObject).describe('one entry per form in META_FORM_IDS'),
});

export const metaReceivedSchema = z.object({
  received: z.number().int(),
  stored: z.number().int(),
  queued: z.number().int(),
  ignored: z.number().int(),
});

export const panelConfigSchema = z.union([
  z.object({ live_updates: z.literal('sse') }),
  z.object({ live_updates: z.literal('supabase'), supabase: z.object({ url: z.string(), anon_key: z.string() }) }),
]);

/** An agent as `/api/admin/agents` shows it (src/team/agent-row.ts): the Slack URL is a secret, only whether it is set. */
export const agentSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  telegram_chat_id: z.string().nullable(),
  slack_webhook_url_set: z.boolean(),
  role: z.enum(AGENT_ROLES),
  sources: z.array(z.string()).nullable(),
  active: z.boolean(),
  created_at: time,
  updated_at: time,
});
export const agentListSchema = z.object({ items: z.array(agentSchema) });
export const linkKeyRotatedSchema = z.object({ key_id: z.string().describe('the new signing key; older unexpired keys still verify') });

/** What a team link shows (GET /l/<token> with `Accept: application/json`, and the answers of claim/respond). */
export const teamLinkLeadSchema = z.object({
  lead: z.object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    source: z.string(),
    quality,
    status,
    created_at: time,
    sla_deadline: time,
    first_response_at: nullableTime,
    assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  }),
  notice: z.string().optional().describe('what the claim or respond did'),
});
