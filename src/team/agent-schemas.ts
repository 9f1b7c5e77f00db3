import { z } from 'zod';
import { AGENT_ROLES } from '../leads/lead-vocabulary.ts';

/** A Slack incoming webhook: https, or http to loopback for local stubs (as SLACK_WEBHOOK_URL). */
const slackWebhookUrl = z
  .string()
  .trim()
  .max(500, 'is longer than 500 characters')
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
    } catch {
      return false;
    }
  }, 'must be an https URL (a Slack incoming webhook)');

const agentFields = {
  name: z.string().trim().min(1, 'must not be empty').max(100, 'is longer than 100 characters'),
  email: z.email('is not an email address').trim().toLowerCase().max(254).nullable(),
  telegram_chat_id: z
    .string()
    .trim()
    .regex(/^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$/, 'is not a Telegram chat id (a number, or @channel)')
    .nullable(),
  slack_webhook_url: slackWebhookUrl.nullable(),
  role: z.enum(AGENT_ROLES),
  sources: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'is not a source name (lower-case letters, digits, _ . : -)'))
    .min(1, 'must name at least one source, or be null for every source')
    .max(50)
    .nullable(),
  active: z.boolean(),
};

/** `POST /api/admin/agents`: a name is required; the rest defaults to an active agent taking every source. */
export const createAgentSchema = z.strictObject({
  name: agentFields.name,
  email: agentFields.email.optional(),
  telegram_chat_id: agentFields.telegram_chat_id.optional(),
  slack_webhook_url: agentFields.slack_webhook_url.optional(),
  role: agentFields.role.default('agent'),
  sources: agentFields.sources.optional(),
  active: agentFields.active.default(true),
});
export type CreateAgentInput = z.infer<typeof createAgentSchema>;

/** `PATCH /api/admin/agents/:id`: any of the fields; null clears an address or the source list. */
export const updateAgentSchema = z
  .strictObject({
    name: agentFields.name.optional(),
    email: agentFields.email.optional(),
    telegram_chat_id: agentFields.telegram_chat_id.optional(),
    slack_webhook_url: agentFields.slack_webhook_url.optional(),
    role: agentFields.role.optional(),
    sources: agentFields.sources.optional(),
    active: agentFields.active.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');
export type UpdateAgentInput = z.infer<typeof updateAgentSchema>;
