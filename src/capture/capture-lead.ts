import { createHash } from 'node:crypto';
import type { Queryable } from '../db/create-pool.ts';
import type { Clock } from '../shared/clock.ts';
import { computeSlaDeadline, type SlaSettings } from '../sla/compute-sla-deadline.ts';
import { findLeadByIdempotencyKeys, insertCapturedLead } from './insert-captured-lead.ts';
import type { CaptureResult, LeadDraft } from './lead-draft.ts';
import { scoreLead, type ScoringSettings } from './score-lead.ts';

/** Without an idempotency key, the same body from the same source within this window is a double submit. */
export const DOUBLE_SUBMIT_WINDOW_MS = 10 * 60_000;

export interface CaptureDeps {
  db: Queryable;
  clock: Clock;
  sla: SlaSettings;
  /** Moves a time forward by working time (business hours); plain addition when absent. */
  addWorkingTime?: ((start: Date, ms: number) => Date) | undefined;
  /** Scoring weights and urgent words; the built-in defaults when absent. */
  scoring?: ScoringSettings | undefined;
}

const SOURCE_LABELS: Record<string, string> = {
  chatbot: 'website chatbot',
  'contact-form': 'contact form',
  'property-inquiry': 'property inquiry',
  api: 'API',
  meta: 'Meta Lead Ads',
};

/**
 * Stores a lead with its messages, its `lead.created` event and a timeline row in one transaction, or
 * recognises it as a repeat of one already stored (same idempotency key, or the same body from the same
 * source within ten minutes) and returns that one.
 */
export async function captureLead(deps: CaptureDeps, draft: LeadDraft): Promise<CaptureResult> {
  const now = deps.clock.now();
  const text = [draft.subject, draft.message, ...draft.messages.filter((m) => m.role === 'user').map((m) => m.content)]
    .filter((part): part is string => Boolean(part))
    .join('\n');
  const { quality, score, reasons } = scoreLead({
    source: draft.source,
    urgency: draft.urgency,
    serviceType: draft.serviceType,
    text,
    hasEmail: draft.email !== null,
    hasPhone: draft.phone !== null,
    propertyId: draft.propertyId,
  }, deps.scoring);
  const sla = computeSlaDeadline(quality, draft.slaStartAt ?? now, deps.sla, deps.addWorkingTime);
  // A deadline already in the past (an old Meta lead) still needs its warning at or before it.
  const warningAt = sla.warningAt.getTime() <= sla.deadline.getTime() ? sla.warningAt : sla.deadline;

  const { key, previousWindowKey } = draft.idempotencyKey
    ? { key: draft.idempotencyKey, previousWindowKey: null }
    : doubleSubmitKeys(draft, now);

  const firstUserMessage = draft.messages.find((m) => m.role === 'user')?.content;
  const label = SOURCE_LABELS[draft.source] ?? draft.source;
  const inserted = await insertCapturedLead(deps.db, {
    source: draft.source,
    externalId: draft.externalId ?? null,
    name: draft.name ?? null,
    email: draft.email,
    phone: draft.phone,
    subject: draft.subject ?? null,
    message: draft.message ?? firstUserMessage ?? null,
    serviceType: draft.serviceType ?? null,
    urgency: draft.urgency ?? null,
    propertyId: draft.propertyId ?? null,
    propertyTitle: draft.propertyTitle ?? null,
    customFields: draft.customFields ?? {},
    quality,
    score,
    scoreReasons: reasons,
    metadata: draft.metadata ?? {},
    consent: draft.consent,
    idempotencyKey: key,
    previousWindowKey,
    createdAt: now,
    slaDeadline: sla.deadline,
    slaWarningAt: warningAt,
    messages: draft.messages.map((m) => ({ role: m.role, content: m.content, sent_at: m.sentAt ?? null })),
    timelineTitle: `Lead captured from ${label}`,
    timelineDescription: `${quality.toUpperCase()} lead (score ${score}): ${reasons.map((r) => r.detail).join('; ')}. Respond by ${sla.deadline.toISOString()}.`,
  });
  if (inserted) return { ...inserted, duplicate: false };

  const existing = await findLeadByIdempotencyKeys(deps.db, previousWindowKey ? [key, previousWindowKey] : [key]);
  if (!existing) throw new Error('idempotency key conflicted but no lead holds it; retry the request');
  return { ...existing, duplicate: true };
}

/**
 * Keys for the ten-minute double-submit window: the hash of the source and body, bucketed by window. A
 * repeat in the next bucket is caught by also checking the previous bucket's key (younger than the window).
 */
function doubleSubmitKeys(draft: LeadDraft, now: Date): { key: string; previousWindowKey: string } {
  const { slaStartAt: _ignored, ...content } = draft;
  const digest = createHash('sha256').update(draft.source).update('\n').update(JSON.stringify(content)).digest('base64url');
  const bucket = Math.floor(now.getTime() / DOUBLE_SUBMIT_WINDOW_MS);
  return { key: `auto:${digest}:${bucket}`, previousWindowKey: `auto:${digest}:${bucket - 1}` };
}
