import { z } from 'zod';
import { graphId } from './parse-meta-webhook.ts';

/** The lead fields we ask the Graph API for, by webhook fetch and by polling alike. */
export const LEAD_FIELDS = [
  'id',
  'created_time',
  'field_data',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'is_organic',
  'platform',
  'custom_disclaimer_responses',
].join(',');

const optionalText = z.string().optional();

/** A Lead as the Graph API returns it (`GET /{lead-id}` or an item of `GET /{form-id}/leads`). */
export const graphLeadSchema = z.looseObject({
  id: graphId,
  created_time: z.string(),
  field_data: z.array(z.looseObject({ name: z.string(), values: z.array(z.unknown()).default([]) })).default([]),
  ad_id: graphId.optional(),
  ad_name: optionalText,
  adset_id: graphId.optional(),
  adset_name: optionalText,
  campaign_id: graphId.optional(),
  campaign_name: optionalText,
  form_id: graphId.optional(),
  is_organic: z.boolean().optional(),
  platform: optionalText,
  custom_disclaimer_responses: z
    .array(z.looseObject({ checkbox_key: z.string(), is_checked: z.union([z.string(), z.boolean(), z.number()]).optional() }))
    .optional(),
});

export type GraphLead = z.infer<typeof graphLeadSchema>;
