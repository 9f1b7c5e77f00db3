import { z } from 'zod';
import { LEAD_QUALITIES, LEAD_STATUSES } from '../leads/lead-vocabulary.ts';

/** A page holds at most this many leads: enough for a screen, small enough to stay fast. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/**
 * `GET /api/admin/leads` query. Unknown parameters are rejected so a typo (`?stauts=`) is a 400, not a
 * silently unfiltered list.
 */
export const listLeadsQuerySchema = z.strictObject({
  status: z.enum(LEAD_STATUSES).optional(),
  quality: z.enum(LEAD_QUALITIES).optional(),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'is not a source name (lower-case letters, digits, _ . : -)')
    .optional(),
  q: z
    .string()
    .trim()
    .max(200, 'is longer than 200 characters')
    .optional()
    .transform((text) => (text === '' ? undefined : text)),
  assigned_to: z.union([z.literal('none'), z.guid('is an agent id (a UUID) or none')], 'is an agent id (a UUID) or none').optional(),
  sort: z.enum(['newest', 'urgency']).optional(),
  cursor: z.string().max(200, 'is not a cursor from this API').optional(),
  limit: z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
});

export type ListLeadsQuery = z.infer<typeof listLeadsQuerySchema>;

/** Any 8-4-4-4-12 hex id, as Postgres's uuid type reads it (no version check: that is not ours to judge). */
export const leadIdSchema = z.guid('is not a lead id (a UUID)');
