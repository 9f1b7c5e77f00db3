/**
 * The ledger: one entry per capture request the load generator sent, with what came back. It is the client's
 * side of the truth the checker holds the database and the providers to: every acknowledged request (201, 200
 * or 202) names a lead that must end up stored and alerted.
 */

/** How a request ended without an HTTP answer. */
export type RequestError = 'reset' | 'timeout' | 'refused' | 'other';

export interface LedgerEntry {
  /** Our own id for the request (also sent as `x-request-id`), unique in the ledger. */
  requestId: string;
  idempotencyKey: string;
  route: string;
  /** The lead's name and email as sent: both unique per request, so a provider message can be matched by name. */
  name: string;
  email: string;
  /** `Date.now()` when the request was written / when its answer (or error) arrived. */
  sentAt: number;
  answeredAt: number | undefined;
  status: number | undefined;
  /** The lead id from the answer body (201, 200 and 202 carry one). */
  leadId: string | undefined;
  /** The answer said `spooled: true` (a 202). */
  spooled: boolean;
  /** The answer said `duplicate: true` (a 200). */
  duplicate: boolean;
  /** The `Retry-After` header of the answer, if any. */
  retryAfter: string | undefined;
  error: RequestError | undefined;
  /** The error's code or message, for the report. */
  errorDetail: string | undefined;
}

export const ACKNOWLEDGED_STATUSES: readonly number[] = [200, 201, 202];

export function isAcknowledged(entry: LedgerEntry): boolean {
  return entry.status !== undefined && ACKNOWLEDGED_STATUSES.includes(entry.status) && entry.leadId !== undefined;
}

/** Answer time in ms, or undefined while the request is open. Errors count too: a timeout took its full wait. */
export function answerMs(entry: LedgerEntry): number | undefined {
  return entry.answeredAt === undefined ? undefined : entry.answeredAt - entry.sentAt;
}

export interface LedgerStats {
  sent: number;
  open: number;
  acknowledged: number;
  byStatus: Record<string, number>;
  errors: Record<RequestError, number>;
  spooled: number;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** The slowest answer (HTTP answers and errors alike), in ms. */
  maxAnswerMs: number;
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  private readonly byId = new Map<string, LedgerEntry>();

  /** Records a request as sent; returns its entry so the sender can complete it. */
  sent(request: { requestId: string; idempotencyKey: string; route: string; name: string; email: string; at?: number }): LedgerEntry {
    if (this.byId.has(request.requestId)) throw new Error(`request id ${request.requestId} is already in the ledger`);
    const entry: LedgerEntry = {
      requestId: request.requestId,
      idempotencyKey: request.idempotencyKey,
      route: request.route,
      name: request.name,
      email: request.email,
      sentAt: request.at ?? Date.now(),
      answeredAt: undefined,
      status: undefined,
      leadId: undefined,
      spooled: false,
      duplicate: false,
      retryAfter: undefined,
      error: undefined,
      errorDetail: undefined,
    };
    this.entries.push(entry);
    this.byId.set(entry.requestId, entry);
    return entry;
  }

  /** Records the HTTP answer of a request. `body` is the parsed JSON answer, if it was JSON. */
  answered(requestId: string, answer: { status: number; body: unknown; retryAfter?: string | undefined; at?: number }): LedgerEntry {
    const entry = this.open(requestId);
    entry.answeredAt = answer.at ?? Date.now();
    entry.status = answer.status;
    entry.retryAfter = answer.retryAfter;
    if (typeof answer.body === 'object' && answer.body !== null) {
      const body = answer.body as { id?: unknown; spooled?: unknown; duplicate?: unknown };
      if (typeof body.id === 'string' && ACKNOWLEDGED_STATUSES.includes(answer.status)) entry.leadId = body.id;
      entry.spooled = body.spooled === true;
      entry.duplicate = body.duplicate === true;
    }
    return entry;
  }

  /** Records a request that got no HTTP answer (the connection was reset or refused, or it timed out). */
  failed(requestId: string, error: RequestError, detail: string, at?: number): LedgerEntry {
    const entry = this.open(requestId);
    entry.answeredAt = at ?? Date.now();
    entry.error = error;
    entry.errorDetail = detail;
    return entry;
  }

  acknowledged(): LedgerEntry[] {
    return this.entries.filter(isAcknowledged);
  }

  /** Entries sent in [from, to) (ms since the epoch). */
  sentBetween(from: number, to: number): LedgerEntry[] {
    return this.entries.filter((entry) => entry.sentAt >= from && entry.sentAt < to);
  }

  stats(entries: readonly LedgerEntry[] = this.entries): LedgerStats {
    const byStatus: Record<string, number> = {};
    const errors: Record<RequestError, number> = { reset: 0, timeout: 0, refused: 0, other: 0 };
    let open = 0;
    let maxAnswerMs = 0;
    for (const entry of entries) {
      const ms = answerMs(entry);
      if (ms === undefined) open += 1;
      else maxAnswerMs = Math.max(maxAnswerMs, ms);
      if (entry.status !== undefined) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
      if (entry.error !== undefined) errors[entry.error] += 1;
    }
    return {
      sent: entries.length,
      open,
      acknowledged: entries.filter(isAcknowledged).length,
      byStatus,
      errors,
      spooled: entries.filter((entry) => entry.spooled).length,
      unavailableWithoutRetryAfter: entries.filter((entry) => entry.status === 503 && !entry.retryAfter).length,
      maxAnswerMs,
    };
  }

  private open(requestId: string): LedgerEntry {
    const entry = this.byId.get(requestId);
    if (entry === undefined) throw new Error(`request id ${requestId} is not in the ledger`);
    if (entry.answeredAt !== undefined) throw new Error(`request ${requestId} was already completed`);
    return entry;
  }
}

/** `201×40, 202×12, 503×3, reset×1`: a compact line for assertion messages. */
export function describeStats(stats: LedgerStats): string {
  const parts = Object.entries(stats.byStatus).map(([status, count]) => `${status}×${count}`);
  for (const [error, count] of Object.entries(stats.errors)) if (count > 0) parts.push(`${error}×${count}`);
  if (stats.open > 0) parts.push(`open×${stats.open}`);
  return `${stats.sent} sent: ${parts.join(', ') || 'nothing'}; max answer ${stats.maxAnswerMs} ms`;
}

/** The capture route's idempotency scope: a key is stored as `client:<scope>:<key>` (keys never cross routes). */
const ROUTE_SCOPES: Record<string, string> = {
  '/api/chatbot/leads': 'chatbot',
  '/api/submit-contact': 'contact-form',
  '/api/property-inquiry': 'property-inquiry',
  '/api/leads': 'api',
};

export function storedIdempotencyKey(entry: { route: string; idempotencyKey: string }): string {
  const scope = ROUTE_SCOPES[entry.route];
  if (!scope) throw new Error(`no idempotency scope known for route ${entry.route}`);
  return `client:${scope}:${entry.idempotencyKey}`;
}
