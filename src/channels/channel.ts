/**
 * Every outbound channel sits behind this one narrow interface. A channel knows how to format and send a
 * message and how to classify its provider's errors; it knows nothing about the database, queues or retries.
 */

import type { EventPayloads, WebhookEventType } from '../events/event-types.ts';
import type { LeadQuality as Quality, LeadStatus } from '../leads/lead-vocabulary.ts';

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
  /** The one-tap team link (`<PUBLIC_URL>/l/<token>`): claim or answer the lead from the alert. */
  teamLink?: string | undefined;
  /** Who the lead is assigned to: a name, null when a team exists but nobody has it, absent without a team. */
  assignee?: string | null | undefined;
}

/** The whole lead as a machine receiver (an outbound webhook) gets it: every field a CRM would store. */
export interface LeadRecord extends LeadSummary {
  externalId: string | null;
  subject: string | null;
  serviceType: string | null;
  urgency: string | null;
  propertyId: string | null;
  propertyTitle: string | null;
  customFields: Record<string, unknown>;
  status: LeadStatus;
  metadata: Record<string, unknown>;
  consent: unknown;
  updatedAt: Date;
  firstResponseAt: Date | null;
  slaBreached: boolean;
  /** The agent the lead is assigned to (an id), or null. */
  assignedTo: string | null;
  /** That agent as a CRM would file it (staff, not the lead's data); null when nobody has the lead. */
  assigneeAgent?: { id: string; name: string; email: string | null; role: 'agent' | 'manager' } | null;
}

/** A lead event forwarded as it is: its facts (the payload: ids, enums, times) and the lead as it is now. */
export type LeadEventNotice = {
  [T in WebhookEventType]: {
    kind: 'lead.event';
    eventId: string;
    eventType: T;
    occurredAt: Date;
    facts: EventPayloads[T];
    lead: LeadRecord;
  };
}[WebhookEventType];

export type Notice =
  | { kind: 'lead.created' | 'sla.warning' | 'sla.breached'; eventId: string; lead: LeadSummary }
  /** For channels that receive events (outbound webhooks); alert channels never get one. */
  | LeadEventNotice
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
  /**
   * What the channel is sent: `alerts` (the default) are notices for people: lead alerts, operator alerts,
   * digests. `events` are lead events with the whole lead (`lead.event` notices), for machine receivers.
   */
  readonly receives?: 'alerts' | 'events';
  /**
   * The destination can say it is gone for good (a webhook receiver's 410): the delivery layer then stops
   * sending to it and holds its deliveries until an operator enables it again.
   */
  readonly canBeDisabled?: boolean;
  send(message: OutgoingMessage): Promise<SendResult>;
  /**
   * The same channel (same client, connection pool and formatter) sending lead alerts to another address of
   * its kind: an agent's email address, Telegram chat id or Slack webhook URL.
   */
  forAddress?(address: string): Channel;
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
  /** For `permanent`: the destination asked never to be sent to again (a channel that `canBeDisabled`). */
  readonly disablesDestination: boolean;

  constructor(
    kind: ChannelErrorKind,
    message: string,
    options: { retryAfterMs?: number; providerCode?: string; disablesDestination?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
    this.disablesDestination = options.disablesDestination ?? false;
  }
}
