import express, { type Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/create-pool.ts';
import { optionalJsonBody, parseRequest } from '../http/admin-request.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { AppError } from '../shared/app-error.ts';
import { webhookChannelName } from '../shared/channel-names.ts';
import { enableWebhookEndpoint } from './enable-webhook-endpoint.ts';
import { listWebhookEndpoints } from './list-webhook-endpoints.ts';

export interface WebhookEndpointRouteDeps {
  pool: Pool;
  boss: JobQueue;
  /** OUTBOUND_WEBHOOKS; the URLs are secrets and only their origin is ever shown. */
  endpoints: readonly { name: string; url: string }[];
  /** OUTBOUND_WEBHOOK_EVENTS. */
  events: readonly string[];
  /** How many OUTBOUND_WEBHOOK_SECRET values sign each request (more than one while rotating). */
  signingSecrets: number;
}

const time = z.iso.datetime({ offset: true }).nullable();

/** One outbound endpoint as GET /api/admin/webhook-endpoints shows it. */
export const webhookEndpointSchema = z.object({
  name: z.string(),
  channel: z.string().describe('the delivery channel, `webhook:<name>`, as in notification_logs and npm run replay'),
  url: z.string().describe("the receiver's origin; the path is a secret and is never shown"),
  events: z.array(z.string()),
  state: z.enum(['enabled', 'disabled']),
  disabled_at: time,
  disabled_reason: z.string().nullable(),
  enabled_at: time,
  held: z.number().int().describe('deliveries held while disabled; enabling the endpoint sends them'),
  last_24h: z.object({
    sent: z.number().int(),
    failed: z.number().int(),
    dead: z.number().int(),
    skipped: z.number().int(),
    sending: z.number().int(),
  }),
  last_sent_at: time,
  last_failed_at: time,
  last_error: z.string().nullable(),
});

export const webhookEndpointsResponse = z.object({
  endpoints: z.array(webhookEndpointSchema),
  signing_secrets: z.number().int(),
});

export const enableWebhookEndpointBody = z.strictObject({
  resend: z.boolean().default(true).describe('send the deliveries held while the endpoint was disabled (default true)'),
});

export const enableWebhookEndpointResponse = z.object({
  name: z.string(),
  state: z.literal('enabled'),
  was_disabled: z.boolean(),
  resent: z.number().int(),
});

export type WebhookEndpointsResponse = z.output<typeof webhookEndpointsResponse>;

/** `https://hooks.zapier.com/…`: the origin names the receiver; the path and any credentials are the secret. */
function shownUrl(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : `${parsed.origin}/…`;
}

/** The outbound webhook endpoints: their state and recent deliveries, and enabling one a 410 disabled. */
export function webhookEndpointRoutes(deps: WebhookEndpointRouteDeps): Router {
  const router = express.Router();

  router.get('/api/admin/webhook-endpoints', async (_req, res) => {
    const states = await listWebhookEndpoints(
      deps.pool,
      deps.endpoints.map((endpoint) => webhookChannelName(endpoint.name)),
    );
    const body: WebhookEndpointsResponse = {
      endpoints: deps.endpoints.map((endpoint, index) => {
        const state = states[index]!;
        return {
          name: endpoint.name,
          channel: state.channel,
          url: shownUrl(endpoint.url),
          events: [...deps.events],
          state: state.disabled_at === null ? 'enabled' : 'disabled',
          disabled_at: state.disabled_at?.toISOString() ?? null,
          disabled_reason: state.disabled_at === null ? null : state.disabled_reason,
          enabled_at: state.enabled_at?.toISOString() ?? null,
          held: state.held,
          last_24h: state.last_24h,
          last_sent_at: state.last_sent_at?.toISOString() ?? null,
          last_failed_at: state.last_failed_at?.toISOString() ?? null,
          last_error: state.last_error,
        };
      }),
      signing_secrets: deps.signingSecrets,
    };
    res.json(body);
  });

  router.post('/api/admin/webhook-endpoints/:name/enable', optionalJsonBody, async (req, res) => {
    const name = String(req.params['name'] ?? '');
    const endpoint = deps.endpoints.find((candidate) => candidate.name === name);
    if (!endpoint)
      throw new AppError(
        'not_found',
        `no outbound webhook endpoint is named ${JSON.stringify(name.slice(0, 40))}; see GET /api/admin/webhook-endpoints`,
      );
    const body = parseRequest(enableWebhookEndpointBody, req.body);
    const channel = webhookChannelName(endpoint.name);
    const result = await enableWebhookEndpoint(deps.pool, deps.boss, channel, { resend: body.resend });
    if (result.wasDisabled) {
      await recordAdminAction(deps.pool, {
        action: 'webhook_endpoint.enabled',
        targetType: 'webhook_endpoint',
        targetId: endpoint.name,
        details: { channel, resent: result.resent },
      });
    }
    const answer: z.output<typeof enableWebhookEndpointResponse> = {
      name: endpoint.name,
      state: 'enabled',
      was_disabled: result.wasDisabled,
      resent: result.resent,
    };
    res.json(answer);
  });

  return router;
}
