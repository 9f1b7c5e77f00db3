import { z } from 'zod';
import type { ConsentInput } from './consent-record.ts';
import { jsonObject, optionalText, trimmedText } from './safe-json.ts';

/**
 * The public capture bodies, exactly as the API documents them (docs/api.md). Objects are strict: an unknown top-level field
 * (including `id`, `status`, `quality`, timestamps and SLA fields) is a 400, never silently stored.
 */

/** HTML forms send checkboxes as "on"; JSON clients send booleans. */
const consentFlag = z
  .union([z.boolean(), z.enum(['on', 'true', 'yes', '1', 'false', 'no', '0', 'off'])])
  .transform((value) => value === true || ['on', 'true', 'yes', '1'].includes(String(value)));

/**
 * `consent`: a checkbox (`true`, `"on"`), or a record of what was agreed to: `{given, version?, text?, page?}`
 * (an HTML form sends `consent[given]=on&consent[version]=2026-03`). Stored with the time and the source as
 * a ConsentRecord (consent-record.ts).
 */
export const consentInputSchema = z
  .union([
    consentFlag.transform((given): ConsentInput => ({ given })),
    z
      .strictObject({
        given: consentFlag,
        version: optionalText(100),
        text: optionalText(2_000),
        page: optionalText(2_000),
      })
      .transform((record): ConsentInput => record),
  ])
  .optional();
const consent = consentInputSchema;

/**
 * When a chat message was sent: an ISO time with an offset, stored in UTC. A year before 1970 or after 9999,
 * or an offset Postgres cannot hold, is refused here rather than failing the insert.
 */
const sentAt = z.iso.datetime({ offset: true }).transform((text, ctx) => {
  const time = new Date(text);
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1970 || year > 9999) {
    ctx.addIssue({ code: 'custom', message: 'must be a time between 1970 and 9999' });
    return z.NEVER;
  }
  return time.toISOString();
});

const contactFields = {
  name: optionalText(200),
  email: optionalText(254),
  phone: optionalText(40),
  metadata: jsonObject.optional(),
  idempotency_key: optionalText(255),
};

export const chatbotLeadSchema = z.strictObject({
  ...contactFields,
  messages: z
    .array(
      z.strictObject({
        role: z.enum(['user', 'bot', 'agent']),
        content: trimmedText(10_000).pipe(z.string().min(1, 'must not be empty')),
        sent_at: sentAt.optional(),
      }),
    )
    .min(1, 'at least one message')
    .max(200, 'at most 200 messages'),
});

export const contactFormSchema = z.strictObject({
  ...contactFields,
  name: trimmedText(200).pipe(z.string().min(1, 'is required')),
  subject: optionalText(300),
  message: trimmedText(10_000).pipe(z.string().min(1, 'is required')),
  consent,
});

export const propertyInquirySchema = z.strictObject({
  ...contactFields,
  property_id: trimmedText(100).pipe(z.string().min(1, 'is required')),
  property_title: optionalText(300),
  name: trimmedText(200).pipe(z.string().min(1, 'is required')),
  message: optionalText(10_000),
});

export const directLeadSchema = z.strictObject({
  ...contactFields,
  name: trimmedText(200).pipe(z.string().min(1, 'is required')),
  message: optionalText(10_000),
  source: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'use letters, digits, dot, dash or underscore (at most 40)')
    .optional(),
  service_type: optionalText(100),
  urgency: z.enum(['emergency', 'high', 'medium', 'low']).optional(),
  custom_fields: jsonObject.optional(),
  consent,
});

export type ChatbotLeadBody = z.infer<typeof chatbotLeadSchema>;
export type ContactFormBody = z.infer<typeof contactFormSchema>;
export type PropertyInquiryBody = z.infer<typeof propertyInquirySchema>;
export type DirectLeadBody = z.infer<typeof directLeadSchema>;
