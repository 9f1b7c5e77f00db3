import type { CountryCode } from 'libphonenumber-js';
import type { LeadDraft } from '../capture/lead-draft.ts';
import { normalizeContact } from '../capture/normalize-contact.ts';
import { isStorableText } from '../capture/safe-json.ts';
import type { GraphLead } from './graph-lead.ts';

/** Where a lead came from besides its own fields: the webhook change (page, ad group) or the polled form. */
export interface MetaLeadContext {
  pageId?: string | undefined;
  formId?: string | undefined;
  adgroupId?: string | undefined;
  via: 'webhook' | 'poll';
}

/** Meta's standard question keys we map to contact fields; everything else is kept as an answer. */
const CONTACT_FIELDS = new Set(['full_name', 'first_name', 'last_name', 'email', 'work_email', 'phone_number', 'work_phone_number']);

const MAX_MESSAGE = 10_000;

function cleanText(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value).trim();
  return text === '' || !isStorableText(text) ? undefined : text.slice(0, 2_000);
}

/**
 * Turns a Graph lead into the draft every source shares. `full_name` (or first + last name), `email` and
 * `phone_number` become the contact; every other answer goes to `metadata.answers` and, as "question:
 * answer" lines, into the message (so alerts show them and scoring sees words like "asap"). Page, form,
 * ad and campaign ids go to metadata as text; `custom_disclaimer_responses` become the consent record.
 * A contact value that does not validate is kept among the answers. Returns a reason instead of a draft
 * only when the lead has neither a usable email nor phone (the database requires one).
 */
export function metaLeadToDraft(
  lead: GraphLead,
  context: MetaLeadContext,
  defaultRegion: CountryCode | undefined,
): { draft: LeadDraft } | { problem: string } {
  const fields = new Map<string, string[]>();
  for (const field of lead.field_data) {
    const key = field.name.trim();
    if (key === '' || key === '__proto__' || !isStorableText(key)) continue;
    const values = field.values.map(cleanText).filter((value): value is string => value !== undefined);
    if (values.length > 0) fields.set(key, [...(fields.get(key) ?? []), ...values]);
  }
  const first = (key: string) => fields.get(key)?.[0];

  const answers: Record<string, string | string[]> = {};
  for (const [key, values] of fields) {
    if (!CONTACT_FIELDS.has(key)) answers[key] = values.length === 1 ? (values[0] as string) : values;
  }

  const name = (first('full_name') ?? [first('first_name'), first('last_name')].filter(Boolean).join(' ')).slice(0, 200) || undefined;
  const country = first('country');
  const region = country && /^[A-Za-z]{2}$/.test(country) ? country : undefined;

  let email: string | null = null;
  const rawEmail = first('email') ?? first('work_email');
  if (rawEmail !== undefined) {
    const result = normalizeContact({ email: rawEmail }, defaultRegion);
    if (result.errors.length === 0) email = result.contact.email;
    else answers['email'] = rawEmail;
  }
  let phone: string | null = null;
  const rawPhone = first('phone_number') ?? first('work_phone_number');
  if (rawPhone !== undefined) {
    // Meta usually sends +<country><number>; a bare number is read in the form's country, then as international.
    for (const candidate of [rawPhone, `+${rawPhone.replace(/^\+/, '')}`]) {
      const result = normalizeContact({ phone: candidate, country: region }, defaultRegion);
      if (result.errors.length === 0) {
        phone = result.contact.phone;
        break;
      }
    }
    if (phone === null) answers['phone_number'] = rawPhone;
  }
  if (email === null && phone === null) return { problem: 'the lead has no valid email or phone number (kept in raw_leads)' };

  const lines = Object.entries(answers).map(
    ([key, value]) => `${key.replace(/_/g, ' ')}: ${Array.isArray(value) ? value.join(', ') : value}`,
  );
  const message = lines.length > 0 ? lines.join('\n').slice(0, MAX_MESSAGE) : undefined;

  const metadata: Record<string, unknown> = {
    page_id: context.pageId,
    form_id: lead.form_id ?? context.formId,
    ad_id: lead.ad_id,
    ad_name: lead.ad_name,
    adset_id: lead.adset_id,
    adset_name: lead.adset_name,
    adgroup_id: context.adgroupId,
    campaign_id: lead.campaign_id,
    campaign_name: lead.campaign_name,
    platform: lead.platform,
    is_organic: lead.is_organic,
    meta_created_time: lead.created_time,
    ingested_via: context.via,
    ...(region ? { country: region.toUpperCase() } : {}),
    ...(Object.keys(answers).length > 0 ? { answers } : {}),
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];

  const checkboxes = lead.custom_disclaimer_responses?.map((response) => ({
    key: response.checkbox_key,
    checked: response.is_checked === true || response.is_checked === 1 || response.is_checked === '1' || response.is_checked === 'true',
  }));

  const createdAt = new Date(lead.created_time);
  return {
    draft: {
      source: 'meta',
      externalId: lead.id,
      name,
      email,
      phone,
      message,
      messages: message ? [{ role: 'user', content: message }] : [],
      metadata,
      consent: checkboxes && checkboxes.length > 0 ? { given: checkboxes.every((box) => box.checked), checkboxes } : undefined,
      idempotencyKey: `meta:${lead.id}`,
      slaStartAt: Number.isNaN(createdAt.getTime()) ? undefined : createdAt,
    },
  };
}
