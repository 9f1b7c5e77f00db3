import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isStorableText } from '../capture/safe-json.ts';
import { AppError } from '../shared/app-error.ts';
import { captureSignedLead } from './capture-signed-lead.ts';
import { META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { insertRawLeads } from './insert-raw-leads.ts';
import { parseMetaWebhook } from './parse-meta-webhook.ts';
import { storeMetaDelivery } from './store-meta-delivery.ts';
import { checkMetaSignatureHeader, verifyMetaSignature } from './verify-meta-signature.ts';
import { checkStandardWebhookHeaders, readStandardWebhookHeaders, verifyStandardWebhook } from './verify-standard-webhook.ts';

/** Meta batches up to 1,000 changes in one POST; a megabyte holds them with room to spare. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

const rawParser = express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES });

/** The exact bytes of the body (signatures are over bytes, not over parsed JSON). */
const readRawBody: RequestHandler = (req, res, next) => {
  rawParser(req, res, (error?: unknown) => {
    if (error && (error as { type?: unknown }).type === 'entity.too.large') {
      next(new AppError('payload_too_large', 'the body is larger than 1 MB'));
      return;
    }
    next(error);
  });
};

function rawBodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Postgres text refuses NUL and invalid UTF-8: a body that has them is kept with replacement characters. */
function storable(text: string): string {
  return isStorableText(text) ? text : text.replace(/\u0000/g, '\uFFFD').toWellFormed();
}

function requestIdOf(res: Response): string | undefined {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}

const sameSecret = (given: string, expected: string) =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/** Meta's challenge is a number; anything else is not echoed (the route must not become a reflector). */
const CHALLENGE = /^[A-Za-z0-9._-]{1,256}$/;

/**
 * The public provider webhooks: Meta's subscription check and lead deliveries, and Standard Webhooks
 * senders. They read the raw body themselves (a signature is over bytes), so mount them without a JSON
 * parser in front.
 */
export function ingestRoutes(deps: IngestDeps, guards: RequestHandler[] = []): Router {
  const router = express.Router();
  // Guards (a limiter counting refused requests) run before anything else, the body included.
  if (guards.length > 0) router.use('/api/webhooks', ...guards);

  router.get('/api/webhooks/meta', (req, res) => {
    const expected = deps.meta.verifyToken;
    if (!expected) throw new AppError('not_found', 'Meta webhooks are not configured: set META_VERIFY_TOKEN and META_APP_SECRET');
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    // 403, as Meta's reference implementation answers a wrong token.
    if (mode !== 'subscribe' || typeof token !== 'string' || !sameSecret(token, expected)) {
      throw new AppError('forbidden', 'hub.verify_token does not match META_VERIFY_TOKEN (or hub.mode is not subscribe)');
    }
    if (typeof challenge !== 'string' || !CHALLENGE.test(challenge))
      throw new AppError('validation_failed', 'hub.challenge is missing or malformed');
    res.type('text/plain').send(challenge);
  });

  // The header is checked before the body is read: an unsigned request costs no buffering.
  const requireMetaSignature: RequestHandler = (req, _res, next) => {
    if (!deps.meta.appSecret) {
      next(new AppError('not_found', 'Meta webhooks are not configured: set META_APP_SECRET'));
      return;
    }
    const verdict = checkMetaSignatureHeader(req.get('x-hub-signature-256'), req.get('x-hub-signature'));
    next(verdict.ok ? undefined : new AppError('unauthorized', verdict.reason));
  };

  router.post('/api/webhooks/meta', requireMetaSignature, readRawBody, async (req, res) => {
    const body = rawBodyOf(req);
    const signature = req.get('x-hub-signature-256');
    const verdict = verifyMetaSignature(body, signature, deps.meta.appSecret ?? '');
    if (!verdict.ok) throw new AppError('unauthorized', verdict.reason);

    const text = body.toString('utf8');
    const parsed = parseMetaWebhook(text);
    const requestId = requestIdOf(res);
    if (!parsed.ok) {
      // Signed by Meta yet unreadable: keep it for a human rather than drop it without a trace.
      const headers = { via: 'webhook', ...(requestId ? { request_id: requestId } : {}) };
      await insertRawLeads(
        deps.db,
        [{ source: META_SOURCE, externalId: null, body: storable(text), headers, status: 'failed', errorMessage: parsed.reason }],
        deps.clock.now(),
      );
      throw new AppError('validation_failed', parsed.reason, { errors: [{ path: '', message: parsed.reason }] });
    }
    const stored = await storeMetaDelivery(deps, { text, signature: signature ?? '', requestId, parsed });
    // Answer now; the ingest jobs fetch and capture each lead (Meta wants a 200 within seconds or retries).
    res.status(200).json({ received: parsed.changes.length, stored: stored.stored, queued: stored.queued, ignored: parsed.ignored });
  });

  // A known sender and well-formed, fresh signature headers before the body is read.
  const requireSignedSender: RequestHandler = (req, _res, next) => {
    const source = String(req.params['source']).toLowerCase();
    if (!deps.webhookSecrets.has(source)) {
      next(new AppError('not_found', 'no signed sender by that name: add it to WEBHOOK_SECRETS as name=whsec_…'));
      return;
    }
    const checked = checkStandardWebhookHeaders(
      readStandardWebhookHeaders((name) => req.get(name)),
      deps.clock.now().getTime(),
    );
    next(checked.ok ? undefined : new AppError('unauthorized', checked.reason));
  };

  router.post('/api/webhooks/:source', requireSignedSender, readRawBody, async (req, res) => {
    const source = String(req.params['source']).toLowerCase();
    const body = rawBodyOf(req);
    const verdict = verifyStandardWebhook(
      readStandardWebhookHeaders((name) => req.get(name)),
      body,
      deps.webhookSecrets.get(source) ?? [],
      deps.clock.now().getTime(),
    );
    if (!verdict.ok) throw new AppError('unauthorized', verdict.reason);

    const text = body.toString('utf8');
    const requestId = requestIdOf(res);
    const headers = {
      via: 'webhook',
      'webhook-id': verdict.id,
      'webhook-timestamp': String(verdict.timestamp),
      ...(requestId ? { request_id: requestId } : {}),
    };
    // Every payload is kept (the audit trail; a failed one can be replayed after a fix).
    const keep = (status: 'processed' | 'failed', errorMessage: string | null) =>
      insertRawLeads(
        deps.db,
        [
          {
            source,
            externalId: verdict.id,
            body: storable(text),
            headers,
            status,
            errorMessage: errorMessage === null ? null : storable(errorMessage).slice(0, 1_000),
          },
        ],
        deps.clock.now(),
      );

    let result;
    try {
      result = await captureSignedLead(deps, { source, webhookId: verdict.id, bodyText: text });
    } catch (error) {
      // A signed payload is kept whatever went wrong, so it can be replayed once the cause is fixed; when the
      // database itself is what failed, keeping it fails too and the sender's retry brings it again.
      await keep(
        'failed',
        error instanceof AppError ? error.message : 'the lead could not be captured (internal error; see the logs)',
      ).catch(() => {});
      throw error;
    }
    await keep('processed', null);
    res.status(result.duplicate ? 200 : 201).json({
      id: result.id,
      quality: result.quality,
      sla_deadline: result.slaDeadline.toISOString(),
      ...(result.duplicate ? { duplicate: true } : {}),
    });
  });

  return router;
}
