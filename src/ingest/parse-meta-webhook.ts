import { z } from 'zod';
import { parseLosslessJson } from './parse-lossless-json.ts';

/**
 * A Graph id as text. Meta writes ids as strings or as JSON numbers; big ones arrive as text from
 * parseLosslessJson, safe ones as numbers whose String() is exact.
 */
export const graphId = z.union([z.string().regex(/^\d{1,30}$/, 'must be a numeric id'), z.number().int().nonnegative()]).transform(String);

const leadgenValue = z.looseObject({
  leadgen_id: graphId,
  page_id: graphId.optional(),
  form_id: graphId.optional(),
  ad_id: graphId.optional(),
  adgroup_id: graphId.optional(),
  created_time: z.number().optional(),
});

const webhookBody = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.unknown().optional(),
      time: z.unknown().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});

/** One `leadgen` change: the ids Meta sends (all text) and the change as a one-change webhook body. */
export interface LeadgenChange {
  leadgenId: string;
  pageId: string | undefined;
  formId: string | undefined;
  adId: string | undefined;
  adgroupId: string | undefined;
  /** `{"object":"page","entry":[{id, time, changes:[this change]}]}`, ids as text: what raw_leads keeps per lead. */
  body: string;
}

export type ParsedMetaWebhook =
  { ok: true; changes: LeadgenChange[]; invalid: { body: string; reason: string }[]; ignored: number } | { ok: false; reason: string };

/**
 * Splits a Meta webhook delivery (up to 1,000 changes over many pages and forms) into its leadgen changes.
 * Other fields are ignored (counted); a leadgen change without a usable leadgen_id is returned as invalid
 * so it can be kept for a human instead of dropped without a trace.
 */
export function parseMetaWebhook(text: string): ParsedMetaWebhook {
  let json: unknown;
  try {
    json = parseLosslessJson(text);
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
  const parsed = webhookBody.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'the body is not a Meta webhook (object and entry[] expected)' };

  const changes: LeadgenChange[] = [];
  const invalid: { body: string; reason: string }[] = [];
  let ignored = 0;
  for (const entry of parsed.data.entry) {
    for (const change of entry.changes) {
      const body = JSON.stringify({ object: parsed.data.object, entry: [{ id: entry.id, time: entry.time, changes: [change] }] });
      if (change.field !== 'leadgen') {
        ignored += 1;
        continue;
      }
      const value = leadgenValue.safeParse(change.value);
      if (!value.success) {
        invalid.push({ body, reason: 'a leadgen change without a numeric leadgen_id' });
        continue;
      }
      changes.push({
        leadgenId: value.data.leadgen_id,
        pageId: value.data.page_id,
        formId: value.data.form_id,
        adId: value.data.ad_id,
        adgroupId: value.data.adgroup_id,
        body,
      });
    }
  }
  return { ok: true, changes, invalid, ignored };
}
