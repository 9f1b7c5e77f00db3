import { createTransport } from 'nodemailer';
import { ChannelError } from '../channel.ts';
import type { Channel, OutgoingMessage, SendResult } from '../channel.ts';
import { classifySmtpError } from './classify-smtp-error.ts';
import { formatOrFail } from '../format-or-fail.ts';
import { formatEmailMessage } from './format-email-message.ts';

export interface EmailChannelOptions {
  host: string;
  port: number;
  /** True for implicit TLS (port 465); false lets nodemailer upgrade with STARTTLS when offered. */
  secure: boolean;
  /** Fail rather than send in clear text when the server does not offer STARTTLS. */
  requireTls?: boolean;
  user?: string;
  pass?: string;
  /** The From address, e.g. `Leadline <leads@example.com>`. */
  from: string;
  /** Recipients of instant alerts (LEAD_ALERT_EMAIL). */
  to: string[];
  /** Recipients of the daily digest (LEAD_DIGEST_EMAIL); defaults to `to`. */
  digestTo?: string[];
  /** Base URL of the admin panel, linked from operator alerts. */
  adminBaseUrl?: string;
  /** Bound on connect, greeting and socket inactivity; capped at 10 s. */
  timeoutMs?: number;
  /** How long the health check may take. */
  checkTimeoutMs?: number;
  /** Pooled SMTP connections kept open to the server. */
  maxConnections?: number;
}

/*
 * nodemailer's defaults wait 2 minutes to connect and 10 minutes on an idle socket; a stuck SMTP server
 * would hold a delivery worker that long. 10 s is ample for any healthy server, and a timeout is transient,
 * so the delivery is simply retried.
 */
const MAX_TIMEOUT_MS = 10_000;
const DEFAULT_CHECK_TIMEOUT_MS = 5000;
/**
 * One connection, kept open (pooled), one message at a time: a crash then repeats at most the one email the
 * server accepted a moment before (same Message-ID, flagged). A burst does not queue up behind it: when
 * alerts pile up they go out as summary emails naming each lead (MAX_NOTICES_PER_MESSAGE).
 */
export const DEFAULT_MAX_CONNECTIONS = 1;

/** A summary email lists each lead on a line; 50 keep it readable and far inside any size limit. */
const MAX_NOTICES_PER_MESSAGE = 50;

/**
 * An email channel over pooled SMTP (nodemailer). Each lead gets an email of its own (one lead, one thread in
 * the inbox) while the inbox keeps up; a backlog goes out as summaries. No pacing of its own. The Message-ID comes from the message key, so a retry after an
 * unknown outcome reaches the inbox as the same message (clients and servers de-duplicate on it).
 */
export function createEmailChannel(options: EmailChannelOptions): Channel {
  const timeoutMs = Math.min(options.timeoutMs ?? MAX_TIMEOUT_MS, MAX_TIMEOUT_MS);
  const checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const transporter = createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.requireTls ?? false,
    auth: options.user === undefined ? undefined : { user: options.user, pass: options.pass ?? '' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  const digestTo = options.digestTo !== undefined && options.digestTo.length > 0 ? options.digestTo : options.to;
  const formatOptions = options.adminBaseUrl === undefined ? {} : { adminBaseUrl: options.adminBaseUrl };

  const sendTo =
    (to: string[]) =>
    async (message: OutgoingMessage): Promise<SendResult> => {
      const content = formatOrFail(() => formatEmailMessage(message, formatOptions));
      try {
        const info = await transporter.sendMail({
          from: options.from,
          to: content.audience === 'digest' ? digestTo : to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId: content.messageId,
          // RFC 3834: marks the mail as machine-sent, so vacation responders do not answer it.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
        return { providerMessageId: info.messageId };
      } catch (error) {
        throw classifySmtpError(error);
      }
    };

  async function check(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new ChannelError('transient', `SMTP check timed out after ${checkTimeoutMs} ms`, { providerCode: 'timeout' }));
      }, checkTimeoutMs);
    });
    try {
      // verify() opens its own connection (outside the pool), greets and authenticates, then quits.
      await Promise.race([transporter.verify().catch((error: unknown) => Promise.reject(classifySmtpError(error))), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const channelTo = (to: string[]): Channel => ({
    name: 'email',
    destination: `email:${to.join(',')}`,
    maxNoticesPerMessage: MAX_NOTICES_PER_MESSAGE,
    minIntervalMs: 0,
    maxConcurrentSends: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    send: sendTo(to),
    forAddress: (address) => channelTo([address]),
    check,
    close: async () => {
      transporter.close();
    },
  });
  return channelTo(options.to);
}
