import { createHash } from 'node:crypto';
import { describeEvent } from '../events/describe-event.ts';
import { uuidV7 } from '../shared/uuid-v7.ts';
import { buildConsentRecord } from './consent-record.ts';
import { computeSlaDeadline, type SlaSettings } from '../leads/compute-sla-deadline.ts';
import type { CapturedLeadRow } from './insert-captured-lead.ts';
import type { LeadDraft } from './lead-draft.ts';
import { scoreLead, type ScoringSettings } from './score-lead.ts';

/** Without an idempotency key, the same body from the same source within this window is a double submit. */
export const DOUBLE_SUBMIT_WINDOW_MS = 10 * 60_000;

export interface CaptureSettings {
  sla: SlaSettings;
  /** Moves a time forward by working time (business hours); plain addition when absent. */
  addWorkingTime?: ((start: Date, ms: number) => Date) | undefined;
  /** Scoring weights and urgent words; the built-in defaults when absent. */
  scoring?: ScoringSettings | undefined;
  /** ASSIGNMENT: `round_robin` assigns each new lead to the next active agent inside the capture statement. */
  assignment?: 'round_robin' | 'off' | undefined;
}

/**
 * Everything a capture writes, decided before any database is involved: the lead's id (made here, so a
 * lead spooled while the database is away keeps it), its score and quality, its SLA deadline, its
 * idempotency key and the fingerprint of what the request said. Pure: the same draft at the same time gives
 * the same row, apart from the id.
 */
export function buildCapturedLead(draft: LeadDraft, now: Date, settings: CaptureSettings): CapturedLeadRow {
  const text = [draft.subject, draft.message, ...draft.messages.filter((m) => m.role === 'user').map((m) => m.content)]
    .filter((part): part is string => Boolean(part))
    .join('\n');
  const { quality, score, reasons } = scoreLead(
    {
      source: draft.source,
      urgency: draft.urgency,
      serviceType: draft.serviceType,
      text,
      hasEmail: draft.email !== null,
      hasPhone: draft.phone !== null,
      propertyId: draft.propertyId,
    },
    settings.scoring,
  );
  const sla = computeSlaDeadline(quality, draft.slaStartAt ?? now, settings.sla, settings.addWorkingTime);
  // A deadline already in the past (an old Meta lead) still needs its warning at or before it.
  const warningAt = sla.warningAt.getTime() <= sla.deadline.getTime() ? sla.warningAt : sla.deadline;

  const fingerprint = requestFingerprint(draft);
  const { key, previousWindowKey } = draft.idempotencyKey
    ? { key: draft.idempotencyKey, previousWindowKey: null }
    : doubleSubmitKeys(fingerprint, now);

  const firstUserMessage = draft.messages.find((m) => m.role === 'user')?.content;
  const id = uuidV7(now.getTime());
  const timeline = describeEvent(
    {
      type: 'lead.created',
      conversationId: id,
      payload: { source: draft.source, quality, score, sla_deadline: sla.deadline.toISOString() },
    },
    { detail: reasons.map((r) => r.detail).join('; ') },
  );
  return {
    id,
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
    consent: buildConsentRecord(draft.consent, {
      givenAt: draft.slaStartAt ?? now,
      source: draft.source,
      metadata: draft.metadata,
      referrerPage: draft.referrerPage,
    }),
    idempotencyKey: key,
    previousWindowKey,
    requestFingerprint: fingerprint,
    createdAt: now,
    slaDeadline: sla.deadline,
    slaWarningAt: warningAt,
    messages: draft.messages.map((m) => ({ role: m.role, content: m.content, sent_at: m.sentAt ?? null })),
    timelineTitle: timeline?.title ?? 'Lead captured',
    timelineDescription: timeline?.description ?? '',
    roundRobin: settings.assignment === 'round_robin',
  };
}

/**
 * A hash of what the request said, after validation and normalisation (so `Ada@Example.com` and
 * `ada@example.com` are the same request): the source and every field except the key itself, the SLA
 * start and the page the browser posted from, which are not part of what the visitor sent (a form retried
 * from another page is the same request).
 */
export function requestFingerprint(draft: LeadDraft): string {
  const { slaStartAt: _slaStartAt, idempotencyKey: _idempotencyKey, referrerPage: _referrerPage, ...content } = draft;
  return createHash('sha256').update(draft.source).update('\n').update(JSON.stringify(content)).digest('base64url');
}

/**
 * Keys for the ten-minute double-submit window: the request's fingerprint, bucketed by window. A repeat in
 * the next bucket is caught by also checking the previous bucket's key (younger than the window).
 */
function doubleSubmitKeys(fingerprint: string, now: Date): { key: string; previousWindowKey: string } {
  const bucket = Math.floor(now.getTime() / DOUBLE_SUBMIT_WINDOW_MS);
  return { key: `auto:${fingerprint}:${bucket}`, previousWindowKey: `auto:${fingerprint}:${bucket - 1}` };
}
