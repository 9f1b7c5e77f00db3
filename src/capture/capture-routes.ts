import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import { validationError, type FieldError } from '../shared/app-error.ts';
import { isFormSubmission, parseCaptureBody } from '../http/parse-body.ts';
import { captureLead, type CaptureDeps } from './capture-lead.ts';
import type { LeadDraft } from './lead-draft.ts';
import {
  chatbotLeadSchema,
  contactFormSchema,
  directLeadSchema,
  propertyInquirySchema,
  type ChatbotLeadBody,
  type ContactFormBody,
  type DirectLeadBody,
  type PropertyInquiryBody,
} from './lead-schemas.ts';
import { normalizeContact, withUnverifiedPhone } from './normalize-contact.ts';
import { referrerPageOf } from './consent-record.ts';
import { zodIssuesToFieldErrors } from '../http/zod-issues-to-field-errors.ts';

export interface CaptureRouteDeps extends CaptureDeps {
  /** Told of every answered capture (the metrics count them by route and outcome). */
  onCaptured?: (route: string, outcome: 'created' | 'duplicate' | 'spooled') => void;
  defaultPhoneRegion: CountryCode | undefined;
  /** Origins a browser may be redirected to after a plain HTML form post (`?redirect=`). */
  redirectOrigins: readonly string[];
}

type Contact = { email: string | null; phone: string | null };

/** Turns a parsed body and its normalized contact into the draft every source shares. */
type ToDraft<Body> = (body: Body, contact: Contact) => LeadDraft;

/**
 * Parses the body (JSON or form), validates it, normalizes the contact, stores the lead and maps the result:
 * 201 for a new lead, 200 with `duplicate: true` for a repeat, 202 with `spooled: true` when the database is
 * away and the lead waits in the spool, 303 for a browser form with a redirect. An `Idempotency-Key` is
 * scoped to the route (`scope`): the same key on another route is another lead.
 */
export function captureHandler<Schema extends z.ZodType>(
  deps: CaptureRouteDeps,
  scope: string,
  schema: Schema,
  toDraft: ToDraft<z.infer<Schema>>,
) {
  return async (req: Request, res: Response): Promise<void> => {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw validationError([{ path: '', message: 'the body must be a JSON object' }]);
    }
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) throw validationError(zodIssuesToFieldErrors(parsed.error));
    const body = parsed.data as z.infer<Schema> & {
      email?: string;
      phone?: string;
      metadata?: Record<string, unknown>;
      idempotency_key?: string;
    };

    const { contact, errors, unverifiedPhone } = normalizeContact(
      { email: body.email, phone: body.phone, country: body.metadata?.['country'] },
      deps.defaultPhoneRegion,
    );
    if (errors.length > 0) throw validationError(errors);

    const headerKey = req.get('idempotency-key');
    const clientKey = headerKey ?? body.idempotency_key;
    if (clientKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(clientKey)) {
      throw validationError([
        { path: headerKey !== undefined ? 'Idempotency-Key' : 'idempotency_key', message: 'use 1-255 visible ASCII characters' },
      ]);
    }
    const draft = toDraft(body, contact);
    draft.metadata = withUnverifiedPhone(draft.metadata, unverifiedPhone);
    if (draft.consent) draft.referrerPage = referrerPageOf(req.get('referer'));
    if (clientKey !== undefined) draft.idempotencyKey = `client:${scope}:${clientKey}`;

    const result = await captureLead(deps, draft);
    const payload = {
      id: result.id,
      quality: result.quality,
      sla_deadline: result.slaDeadline.toISOString(),
      ...(result.duplicate ? { duplicate: true } : {}),
      ...(result.spooled ? { spooled: true } : {}),
    };
    const redirect = formRedirect(req, deps.redirectOrigins);
    if (redirect) {
      res.redirect(303, redirect);
      return;
    }
    deps.onCaptured?.(scope, result.spooled ? 'spooled' : result.duplicate ? 'duplicate' : 'created');
    res.status(result.spooled ? 202 : result.duplicate ? 200 : 201).json(payload);
  };
}

/** A plain HTML form may ask to be sent back to a thank-you page, but only on an allowed origin. */
function formRedirect(req: Request, allowedOrigins: readonly string[]): string | undefined {
  const target = req.query['redirect'];
  if (typeof target !== 'string' || !isFormSubmission(req.get('content-type'))) return undefined;
  try {
    const url = new URL(target);
    return allowedOrigins.includes(url.origin) ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function checkRedirect(req: Request, allowedOrigins: readonly string[]): FieldError | undefined {
  const target = req.query['redirect'];
  if (target === undefined) return undefined;
  if (typeof target === 'string') {
    try {
      if (allowedOrigins.includes(new URL(target).origin)) return undefined;
    } catch {
      // reported below
    }
  }
  return { path: 'redirect', message: 'is not on an allowed origin (CORS_ORIGINS)' };
}

const fromChatbot: ToDraft<ChatbotLeadBody> = (body, contact) => ({
  source: 'chatbot',
  name: body.name,
  ...contact,
  messages: body.messages.map((m) => ({ role: m.role, content: m.content, sentAt: m.sent_at })),
  metadata: body.metadata,
});

const fromContactForm: ToDraft<ContactFormBody> = (body, contact) => ({
  source: 'contact-form',
  name: body.name,
  ...contact,
  subject: body.subject,
  message: body.message,
  messages: [{ role: 'user', content: body.message }],
  metadata: body.metadata,
  consent: body.consent,
});

const fromPropertyInquiry: ToDraft<PropertyInquiryBody> = (body, contact) => ({
  source: 'property-inquiry',
  name: body.name,
  ...contact,
  message: body.message,
  messages: body.message ? [{ role: 'user', content: body.message }] : [],
  propertyId: body.property_id,
  propertyTitle: body.property_title,
  metadata: body.metadata,
});

export const fromDirectLead: ToDraft<DirectLeadBody> = (body, contact) => ({
  source: body.source ?? 'api',
  name: body.name,
  ...contact,
  message: body.message,
  messages: body.message ? [{ role: 'user', content: body.message }] : [],
  serviceType: body.service_type,
  urgency: body.urgency,
  customFields: body.custom_fields,
  metadata: body.metadata,
  consent: body.consent,
});

/**
 * The four public capture routes. `guards` run first on each (CORS, rate limit), then the body parser, so a
 * rejected request costs no parsing.
 */
export function captureRoutes(deps: CaptureRouteDeps, guards: RequestHandler[]): Router {
  const router = express.Router();
  const redirectCheck: RequestHandler = (req, _res, next) => {
    const problem = checkRedirect(req, deps.redirectOrigins);
    next(problem ? validationError([problem]) : undefined);
  };
  const routes: [string, RequestHandler][] = [
    ['/api/chatbot/leads', captureHandler(deps, 'chatbot', chatbotLeadSchema, fromChatbot)],
    ['/api/submit-contact', captureHandler(deps, 'contact-form', contactFormSchema, fromContactForm)],
    ['/api/property-inquiry', captureHandler(deps, 'property-inquiry', propertyInquirySchema, fromPropertyInquiry)],
    ['/api/leads', captureHandler(deps, 'api', directLeadSchema, fromDirectLead)],
  ];
  for (const [path, handler] of routes) {
    router.options(path, ...guards);
    router.post(path, ...guards, parseCaptureBody(), redirectCheck, handler);
  }
  return router;
}
