import { z } from 'zod';
import { leadIdSchema, listLeadsQuerySchema } from '../admin/admin-query-schemas.ts';
import { chatbotLeadSchema, contactFormSchema, directLeadSchema, propertyInquirySchema } from '../capture/lead-schemas.ts';
import { enableWebhookEndpointBody, enableWebhookEndpointResponse, webhookEndpointsResponse } from '../delivery/webhook-endpoint-routes.ts';
import { patchBody, respondBody } from '../leads/lead-admin-routes.ts';
import { createAgentSchema, updateAgentSchema } from '../team/agent-schemas.ts';
import { teamLinkFormBody } from '../team/team-link-routes.ts';
import { leadExportSchema } from '../lifecycle/export-lead.ts';
import { completeBody, slaQuery, tasksQuery } from '../sla/sla-admin-routes.ts';
import type { RouteEntry } from './build-openapi-document.ts';
import {
  agentListSchema,
  agentSchema,
  linkKeyRotatedSchema,
  teamLinkLeadSchema,
  adminStatsSchema,
  captureAcceptedSchema,
  deadLettersSchema,
  deliverySwitchSchema,
  leadDetailSchema,
  leadListSchema,
  livenessSchema,
  metaReceivedSchema,
  namedCheckSchema,
  panelConfigSchema,
  readinessSchema,
  reconcileSummarySchema,
  respondResultSchema,
  retriedSchema,
  slaOverviewSchema,
  statusChangeSchema,
  taskCompletedSchema,
  taskListSchema,
} from './response-schemas.ts';

/*
 * Every route of the HTTP API, grouped by feature. A new route gets an entry here (or a group of its own added to
 * ROUTE_ENTRIES); test/flows/openapi-coverage.test.ts fails while a route of the running app has none.
 */

const leadId = { id: { description: 'the lead id (a UUID)', schema: leadIdSchema } };

const captured = {
  201: { description: 'The lead and its `lead.created` event are committed', schema: captureAcceptedSchema, name: 'CaptureAccepted' },
  200: {
    description: 'A repeat (same Idempotency-Key and body): the original id, `duplicate: true`',
    schema: captureAcceptedSchema,
    name: 'CaptureAccepted',
  },
  202: {
    description: 'The database is away: the lead is durably in the spool (`spooled: true`)',
    schema: captureAcceptedSchema,
    name: 'CaptureAccepted',
  },
  303: { description: 'A browser form posted with `?redirect=` to an allowed origin' },
};
const captureHeaders = {
  'Idempotency-Key': { description: 'makes a retry safe: the same key and body answer 200 with the original id' },
};
const captureQuery = z.object({
  redirect: z.string().optional().describe('for plain HTML forms: a thank-you page on an origin in CORS_ORIGINS (answered with 303)'),
});

function captureEntry(path: string, summary: string, schema: z.ZodType, name: string): RouteEntry[] {
  return [
    {
      method: 'post',
      path,
      tag: 'Capture',
      summary,
      description: 'At least one of `email` / `phone`. JSON or `application/x-www-form-urlencoded`, at most 64 KB.',
      security: 'public',
      headers: captureHeaders,
      query: captureQuery,
      body: { schema, name, formToo: true },
      responses: captured,
      problems: [400, 413, 415, 422, 429, 503],
    },
    {
      method: 'options',
      path,
      tag: 'Capture',
      summary: 'CORS preflight for browser forms',
      security: 'public',
      responses: { 204: { description: 'The origin is in CORS_ORIGINS' }, 403: { description: 'The origin is not allowed' } },
    },
  ];
}

export const CAPTURE_ENTRIES: RouteEntry[] = [
  ...captureEntry('/api/chatbot/leads', 'Capture a chatbot conversation', chatbotLeadSchema, 'ChatbotLead'),
  ...captureEntry('/api/submit-contact', 'Capture a contact form', contactFormSchema, 'ContactForm'),
  ...captureEntry('/api/property-inquiry', 'Capture a property inquiry', propertyInquirySchema, 'PropertyInquiry'),
  ...captureEntry('/api/leads', 'Capture a lead from any source', directLeadSchema, 'DirectLead'),
];

export const WEBHOOK_ENTRIES: RouteEntry[] = [
  {
    method: 'get',
    path: '/api/webhooks/meta',
    tag: 'Provider webhooks',
    summary: "Meta's subscription check",
    security: 'public',
    query: z.object({
      'hub.mode': z.literal('subscribe'),
      'hub.verify_token': z.string().describe('must equal META_VERIFY_TOKEN'),
      'hub.challenge': z.string().describe('echoed back as text'),
    }),
    responses: { 200: { description: 'The challenge, as text', mediaType: 'text/plain' } },
    problems: [400, 403, 404],
  },
  {
    method: 'post',
    path: '/api/webhooks/meta',
    tag: 'Provider webhooks',
    summary: 'Meta Lead Ads deliveries (leadgen changes)',
    description:
      'Checked against `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with META_APP_SECRET) before anything is stored; each `leadgen_id` is then fetched from the Graph API and captured. At most 1 MB.',
    security: 'public',
    headers: { 'X-Hub-Signature-256': { description: '`sha256=<hex>`', required: true } },
    body: { schema: z.looseObject({ object: z.string(), entry: z.array(z.unknown()) }), name: 'MetaWebhook' },
    responses: { 200: { description: 'Stored; the leads are fetched and captured in the background', schema: metaReceivedSchema } },
    problems: [400, 401, 404, 413, 429, 503],
  },
  {
    method: 'post',
    path: '/api/webhooks/:source',
    tag: 'Provider webhooks',
    summary: 'A lead from a signed sender (Standard Webhooks or Svix headers)',
    description:
      'For senders named in WEBHOOK_SECRETS. Signed per Standard Webhooks (`webhook-*` headers) or with the same values under `svix-*`; 5-minute tolerance; `webhook-id` is the idempotency key. Body as `POST /api/leads`.',
    security: 'public',
    pathParams: { source: { description: 'the sender name in WEBHOOK_SECRETS (`zapier=whsec_…`)' } },
    // Not marked required: a Svix sender sends the same three values as svix-id, svix-timestamp, svix-signature.
    headers: {
      'webhook-id': { description: 'the message id (or `svix-id`); one of the two is required' },
      'webhook-timestamp': { description: 'Unix seconds (or `svix-timestamp`); one of the two is required' },
      'webhook-signature': {
        description: '`v1,<base64>` (or `svix-signature`), space-separated when rotating; one of the two is required',
      },
      'svix-id': { description: 'Svix name of `webhook-id`' },
      'svix-timestamp': { description: 'Svix name of `webhook-timestamp`' },
      'svix-signature': { description: 'Svix name of `webhook-signature`' },
    },
    body: { schema: directLeadSchema, name: 'DirectLead' },
    responses: { 201: captured[201], 200: captured[200] },
    problems: [400, 401, 404, 413, 429, 503],
  },
];

export const EMBED_ENTRIES: RouteEntry[] = [
  {
    method: 'get',
    path: '/embed.js',
    tag: 'Website embed',
    summary: 'The website embed script',
    description:
      '`<script src="<PUBLIC_URL>/embed.js" data-form="contact|inquiry|chat" async></script>` renders a form that posts to the capture routes. Cacheable, `Cross-Origin-Resource-Policy: cross-origin`.',
    security: 'public',
    responses: {
      200: { description: 'The script (gzip when accepted)', mediaType: 'text/javascript' },
      304: { description: 'Not modified (ETag)' },
    },
  },
];

const adminEntry = (entry: Omit<RouteEntry, 'tag' | 'security'> & { tag?: string }): RouteEntry => ({
  tag: 'Admin',
  security: 'admin',
  ...entry,
});

export const ADMIN_ENTRIES: RouteEntry[] = [
  adminEntry({
    method: 'get',
    path: '/api/admin/leads',
    summary: 'List leads, newest first',
    query: listLeadsQuerySchema,
    responses: { 200: { description: 'One page of leads', schema: leadListSchema, name: 'LeadList' } },
    problems: [400],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/leads/:id',
    summary: 'A lead with its messages, timeline, notifications and tasks',
    pathParams: leadId,
    responses: { 200: { description: 'The lead', schema: leadDetailSchema, name: 'LeadDetail' } },
    problems: [400, 404],
  }),
  adminEntry({
    method: 'patch',
    path: '/api/admin/leads/:id',
    summary: "Change a lead's status or its assignee (`assigned_to`: an agent id or null)",
    pathParams: leadId,
    body: { schema: patchBody, name: 'LeadChange' },
    responses: { 200: { description: 'The status now', schema: statusChangeSchema, name: 'StatusChanged' } },
    problems: [400, 404, 415],
  }),
  adminEntry({
    method: 'delete',
    path: '/api/admin/leads/:id',
    summary: "Erase a lead's personal data everywhere (keeps an anonymous tombstone)",
    pathParams: leadId,
    responses: { 204: { description: 'Erased now or before' } },
    problems: [400, 404],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/leads/:id/export',
    summary: 'Everything held about a lead, as one JSON document',
    pathParams: leadId,
    responses: { 200: { description: 'The export document', schema: leadExportSchema, name: 'LeadExport' } },
    problems: [400, 404],
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/leads/:id/respond',
    summary: 'Record the first response (stops the SLA clock)',
    pathParams: leadId,
    body: { schema: respondBody, name: 'Respond', required: false },
    responses: { 200: { description: 'The response as recorded', schema: respondResultSchema, name: 'Responded' } },
    problems: [400, 404, 415],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/stats',
    summary: 'The numbers of the stats strip',
    responses: { 200: { description: 'Stats', schema: adminStatsSchema, name: 'AdminStats' } },
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/stream',
    summary: 'Server-Sent Events of every new event',
    description: 'Each event is a `lead_events` row (ids, types, numbers; no personal data). `Last-Event-ID` resumes.',
    headers: { 'Last-Event-ID': { description: 'resume after this event' } },
    responses: { 200: { description: 'An event stream', mediaType: 'text/event-stream' } },
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/sla',
    summary: 'Leads at risk and breached (the banner)',
    query: slaQuery,
    responses: { 200: { description: 'The SLA overview', schema: slaOverviewSchema, name: 'SlaOverview' } },
    problems: [400],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/tasks',
    summary: 'Follow-up tasks',
    query: tasksQuery,
    responses: { 200: { description: 'Tasks', schema: taskListSchema, name: 'TaskList' } },
    problems: [400],
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/tasks/:id/complete',
    summary: 'Complete a follow-up task',
    pathParams: { id: { description: 'the task id (a positive whole number)' } },
    body: { schema: completeBody, name: 'CompleteTask', required: false },
    responses: { 200: { description: 'The task', schema: taskCompletedSchema, name: 'TaskCompleted' } },
    problems: [400, 404, 415],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/failed',
    tag: 'Deliveries',
    summary: 'Dead letters: deliveries and provider payloads that failed',
    responses: { 200: { description: 'Dead letters', schema: deadLettersSchema, name: 'DeadLetters' } },
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/failed/:id/retry',
    tag: 'Deliveries',
    summary: 'Retry a dead letter',
    pathParams: { id: { description: '`delivery-<n>` or `ingestion-<n>` from GET /api/admin/failed' } },
    responses: { 202: { description: 'Queued again', schema: retriedSchema, name: 'Retried' } },
    problems: [400, 404],
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/deliveries',
    tag: 'Deliveries',
    summary: 'Whether outbound deliveries are paused',
    responses: { 200: { description: 'The switch', schema: deliverySwitchSchema, name: 'DeliverySwitch' } },
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/pause',
    tag: 'Deliveries',
    summary: 'Stop outbound deliveries (capture continues)',
    responses: { 200: { description: 'Paused', schema: deliverySwitchSchema, name: 'DeliverySwitch' } },
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/resume',
    tag: 'Deliveries',
    summary: 'Start outbound deliveries again',
    responses: { 200: { description: 'Resumed', schema: deliverySwitchSchema, name: 'DeliverySwitch' } },
  }),
  adminEntry({
    method: 'get',
    path: '/api/admin/webhook-endpoints',
    tag: 'Deliveries',
    summary: 'Outbound webhook endpoints and their delivery state',
    responses: { 200: { description: 'The endpoints', schema: webhookEndpointsResponse, name: 'WebhookEndpoints' } },
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/webhook-endpoints/:name/enable',
    tag: 'Deliveries',
    summary: 'Enable an endpoint a 410 disabled, and send what it held',
    pathParams: { name: { description: 'the endpoint name in OUTBOUND_WEBHOOKS' } },
    body: { schema: enableWebhookEndpointBody, name: 'EnableWebhookEndpoint', required: false },
    responses: { 200: { description: 'Enabled', schema: enableWebhookEndpointResponse, name: 'WebhookEndpointEnabled' } },
    problems: [400, 404, 415],
  }),
  adminEntry({
    method: 'post',
    path: '/api/admin/reconcile',
    tag: 'Provider webhooks',
    summary: 'Poll Meta now and replay parked payloads',
    query: z.object({
      backfill_days: z.number().int().min(1).max(90).optional().describe('also fetch leads this many days back'),
    }),
    responses: { 200: { description: 'What was found', schema: reconcileSummarySchema, name: 'ReconcileSummary' } },
    problems: [400, 409, 502],
  }),
];

const panelFile = (path: string, summary: string, mediaType: string): RouteEntry => ({
  method: 'get',
  path,
  tag: 'Admin panel',
  summary,
  security: 'public',
  responses: { 200: { description: summary, mediaType } },
});

export const PANEL_ENTRIES: RouteEntry[] = [
  panelFile('/admin', 'The admin panel page (its data comes from /api/admin with the key)', 'text/html'),
  panelFile('/admin/admin.css', "The panel's stylesheet", 'text/css'),
  panelFile('/admin/app.js', "The panel's script", 'text/javascript'),
  {
    method: 'get',
    path: '/admin/config.json',
    tag: 'Admin panel',
    summary: 'How the panel takes live updates (SSE or Supabase Realtime)',
    security: 'public',
    responses: { 200: { description: 'Panel settings', schema: panelConfigSchema, name: 'PanelConfig' } },
  },
  {
    ...panelFile('/admin/vendor/supabase.js', 'The supabase-js browser build (when Supabase is configured)', 'text/javascript'),
    problems: [404],
  },
];

export const OPERATIONS_ENTRIES: RouteEntry[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'Operations',
    summary: 'Liveness',
    security: 'public',
    responses: { 200: { description: 'The process answers', schema: livenessSchema, name: 'Liveness' } },
  },
  {
    method: 'get',
    path: '/health/ready',
    tag: 'Operations',
    summary: 'Readiness: 200 while this process can do its job',
    description:
      'Provider and Meta checks show `degraded` but never make it 503. Error texts only with the admin key (`Authorization: Bearer`).',
    security: 'public',
    responses: {
      200: { description: 'Ready or degraded', schema: readinessSchema, name: 'Readiness' },
      503: { description: 'Not ready or shutting down', schema: readinessSchema, name: 'Readiness' },
    },
  },
  {
    method: 'get',
    path: '/health/:check',
    tag: 'Operations',
    summary: 'One check by name (503 while that part is down)',
    security: 'public',
    pathParams: { check: { description: 'db, queue, spool, slack, email, telegram, meta, workers' } },
    responses: {
      200: { description: 'The part works, or is not configured', schema: namedCheckSchema, name: 'NamedCheck' },
      503: { description: 'The part is down', schema: namedCheckSchema, name: 'NamedCheck' },
    },
    problems: [404],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics (see docs/metrics.md)',
    security: 'metrics',
    responses: { 200: { description: 'Prometheus text exposition', mediaType: 'text/plain' } },
    problems: [401],
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Operations',
    summary: 'This document',
    security: 'public',
    responses: { 200: { description: 'OpenAPI 3.1', mediaType: 'application/json' } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'Operations',
    summary: 'This document in Swagger UI',
    security: 'public',
    responses: { 200: { description: 'The page', mediaType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs/:file',
    tag: 'Operations',
    summary: "Swagger UI's own files (script, stylesheet, the page's init script)",
    security: 'public',
    pathParams: { file: { description: 'swagger-ui-bundle.js, swagger-ui.css, init.js, favicon-32x32.png' } },
    responses: { 200: { description: 'The file', mediaType: 'application/octet-stream' } },
    problems: [404],
  },
];

const agentId = { id: { description: 'the agent id (a UUID)', schema: z.guid() } };
const linkToken = { token: { description: 'the signed token an alert carried (names the lead, maybe an agent; 7 days)' } };
const teamLinkAnswer = {
  200: {
    description:
      'A small HTML page with what the alert showed and the Claim and Mark as answered buttons (JSON with `Accept: application/json`)',
    schema: teamLinkLeadSchema,
    name: 'TeamLinkLead',
  },
};

export const TEAM_ENTRIES: RouteEntry[] = [
  adminEntry({
    tag: 'Team',
    method: 'get',
    path: '/api/admin/agents',
    summary: 'List the team: agents and managers',
    responses: { 200: { description: 'Every agent', schema: agentListSchema, name: 'AgentList' } },
  }),
  adminEntry({
    tag: 'Team',
    method: 'post',
    path: '/api/admin/agents',
    summary: 'Add an agent or a manager',
    body: { schema: createAgentSchema, name: 'AgentCreate' },
    responses: { 201: { description: 'The agent', schema: agentSchema, name: 'Agent' } },
    problems: [400, 415],
  }),
  adminEntry({
    tag: 'Team',
    method: 'patch',
    path: '/api/admin/agents/:id',
    summary: "Change an agent's name, addresses, role, sources or whether they are active",
    pathParams: agentId,
    body: { schema: updateAgentSchema, name: 'AgentChange' },
    responses: { 200: { description: 'The agent now', schema: agentSchema, name: 'Agent' } },
    problems: [400, 404, 415],
  }),
  adminEntry({
    tag: 'Team',
    method: 'post',
    path: '/api/admin/team-link-keys/rotate',
    summary: 'Start signing team links with a new key (links signed with older keys keep working until they expire)',
    responses: { 201: { description: 'The new key', schema: linkKeyRotatedSchema, name: 'LinkKeyRotated' } },
  }),
  {
    tag: 'Team',
    security: 'public',
    method: 'get',
    path: '/l/:token',
    summary: 'Open a one-tap link from an alert: shows the lead, changes nothing',
    pathParams: linkToken,
    responses: teamLinkAnswer,
    problems: [404, 410, 429],
  },
  {
    tag: 'Team',
    security: 'public',
    method: 'post',
    path: '/l/:token/claim',
    summary: "Claim the lead: assign it to the link's agent, or to `agent_id` for a team-wide link (records lead.assigned)",
    pathParams: linkToken,
    body: { schema: teamLinkFormBody, name: 'TeamLinkForm', required: false, formToo: true },
    responses: teamLinkAnswer,
    problems: [400, 404, 410, 429],
  },
  {
    tag: 'Team',
    security: 'public',
    method: 'post',
    path: '/l/:token/respond',
    summary: 'Mark the lead as answered: the first response stops the SLA clock (records lead.responded)',
    pathParams: linkToken,
    body: { schema: teamLinkFormBody, name: 'TeamLinkForm', required: false, formToo: true },
    responses: teamLinkAnswer,
    problems: [400, 404, 410, 429],
  },
];

export const ROUTE_ENTRIES: RouteEntry[] = [
  ...CAPTURE_ENTRIES,
  ...WEBHOOK_ENTRIES,
  ...EMBED_ENTRIES,
  ...ADMIN_ENTRIES,
  ...TEAM_ENTRIES,
  ...PANEL_ENTRIES,
  ...OPERATIONS_ENTRIES,
];
