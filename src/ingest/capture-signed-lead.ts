import { captureLead, type CaptureDeps } from '../capture/capture-lead.ts';
import { fromDirectLead } from '../capture/capture-routes.ts';
import type { CaptureResult } from '../capture/lead-draft.ts';
import { directLeadSchema } from '../capture/lead-schemas.ts';
import { normalizeContact, withUnverifiedPhone } from '../capture/normalize-contact.ts';
import { zodIssuesToFieldErrors } from '../http/zod-issues-to-field-errors.ts';
import { validationError } from '../shared/app-error.ts';
import type { IngestDeps } from './ingest-deps.ts';

/**
 * A lead from a Standard Webhooks sender (Zapier, Make, n8n, a HubSpot workflow): the body of POST
 * /api/leads, captured with source = the sender's name and `<sender>:<webhook-id>` as the idempotency key,
 * so the sender's retries of one message make one lead. A `source` in the body (where the sender got the
 * lead, e.g. "typeform") is kept as `metadata.origin`. Throws a validation AppError for a bad body.
 */
export async function captureSignedLead(
  deps: CaptureDeps & Pick<IngestDeps, 'defaultPhoneRegion'>,
  input: { source: string; webhookId: string; bodyText: string },
): Promise<CaptureResult> {
  let json: unknown;
  try {
    json = JSON.parse(input.bodyText);
  } catch {
    throw validationError([{ path: '', message: 'the body is not valid JSON' }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw validationError([{ path: '', message: 'the body must be a JSON object' }]);
  const parsed = directLeadSchema.safeParse(json);
  if (!parsed.success) throw validationError(zodIssuesToFieldErrors(parsed.error));
  const body = parsed.data;

  const { contact, errors, unverifiedPhone } = normalizeContact(
    { email: body.email, phone: body.phone, country: body.metadata?.['country'] },
    deps.defaultPhoneRegion,
  );
  if (errors.length > 0) throw validationError(errors);

  const draft = fromDirectLead(body, contact);
  draft.metadata = withUnverifiedPhone(draft.metadata, unverifiedPhone);
  draft.source = input.source;
  if (body.source && body.source !== input.source) draft.metadata = { ...draft.metadata, origin: body.source };
  draft.idempotencyKey = `${input.source}:${input.webhookId}`;
  return captureLead(deps, draft);
}
