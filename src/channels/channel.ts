/**
 * Every outbound channel sits behind this one narrow interface. A channel knows how to format and send a
 * message and how to classify its provider's errors; it knows nothing about the database, queues or retries.
 */

import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';

import type { ChannelName } from '../shared/channel-names.ts';

export type { ChannelName };

/** What a team member needs to act on a lead, already loaded from the database. */
export interface LeadSummary {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  quality: Quality;
  score: number;
  message: string | null;
  createdAt: Date;
  slaDeadline: Date;
  /** Absolute link to the lead in the admin panel. */
  adminUrl: string;
}

export type Notice =
  | { kind: 'lead.created' | 'sla.warning' | 'sla.breached'; eventId: string; lead: LeadSummary }
  | { kind: 'operator'; eventId: string; title: string; detail: string }
  /** The daily digest, already rendered; email sends it to the digest recipients, not the alert ones. */
  | { kind: 'digest'; eventId: string; subject: string; text: string; html: string };

/**
 * One outgoing message. `notices` holds one notice for a normal alert and several when a burst for one
 * destination is coalesced into a single summary message; every notice must be named in that message.
 */
export interface OutgoingMessage {
  notices: Notice[];
  /** Deterministic per (event, channel) of the first notice: stable across retries (email Message-ID). */
  messageKey: string;
}

export interface SendResult {
  providerMessageId: string | null;
}

export interface Channel {
  readonly name: ChannelName;
  /** A stable, non-secret label of the destination (for pacing and logs); never the webhook URL or token. */
  readonly destination: string;
  /** The most notices one message may carry (1 = never coalesce). */
  readonly maxNoticesPerMessage: number;
  /** Minimum spacing between two messages to the destination, so we never cause a 429 ourselves. */
  readonly minIntervalMs: number;
  /** Messages one process may have in flight at once (default 1); also what a crash can repeat. */
  readonly maxConcurrentSends?: number;
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Cheap reachability check for /health; resolves or throws a ChannelError. */
  check(): Promise<void>;
  close?(): Promise<void>;
}

export type ChannelErrorKind = 'transient' | 'permanent' | 'rate_limited';

/** A provider failure, already classified; the only error type a channel's `send` throws. */
export class ChannelError extends Error {
  readonly kind: ChannelErrorKind;
  /** For `rate_limited`: how long the provider asked us to wait. */
  readonly retryAfterMs: number | undefined;
  /** Provider status or error code, e.g. `429`, `410 channel_is_archived`, `SMTP 550`. */
  readonly providerCode: string | undefined;

  constructor(kind: ChannelErrorKind, message: string, options: { retryAfterMs?: number; providerCode?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
  }
}
