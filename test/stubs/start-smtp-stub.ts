/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for tests and the benchmark: plain text, no STARTTLS, AUTH
 * optional. It keeps every message it accepted or rejected at DATA, and replies can be scripted per message
 * (a 451 once, a 550, a rejected recipient) the way a real server answers.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerError, SMTPServerSession } from 'smtp-server';
import { parseMimeMessage } from './parse-mime-message.ts';
import type { ParsedMimeMessage } from './parse-mime-message.ts';
import { waitFor } from './wait-for.ts';

export interface SmtpStubReply {
  /** SMTP reply code, e.g. 451 or 550. */
  responseCode: number;
  /** Reply text, e.g. `4.3.0 Try again later`. */
  message?: string;
  /** Where the reply is given: after DATA (default) or to RCPT TO, rejecting the recipient. */
  stage?: 'data' | 'rcpt';
}

export interface SmtpStubMessage extends ParsedMimeMessage {
  /** `Date.now()` when the DATA stream ended. */
  at: number;
  mailFrom: string | null;
  rcptTo: string[];
  /** The user that authenticated, if any. */
  user: string | undefined;
  /** The raw RFC 5322 message as received (dot-unstuffed). */
  raw: string;
  /** The code the stub answered DATA with: 250 accepted, or the scripted error. */
  responseCode: number;
}

export interface SmtpStub {
  host: string;
  port: number;
  /** Every message that reached DATA, in order, accepted or not. */
  received: SmtpStubMessage[];
  /** Queue replies for the next messages (one per message, at its stage); then the stub accepts. */
  script(...replies: SmtpStubReply[]): void;
  waitFor(predicate: (received: SmtpStubMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpStubOptions {
  /** When set, AUTH must use these credentials (535 otherwise). Without it any credentials pass. */
  credentials?: { user: string; pass: string };
}

function smtpError(reply: SmtpStubReply): SMTPServerError {
  const error: SMTPServerError = new Error(reply.message ?? `Scripted reply ${reply.responseCode}`);
  error.responseCode = reply.responseCode;
  return error;
}

async function readStream(stream: SMTPServerDataStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSmtpStub(options: SmtpStubOptions = {}): Promise<SmtpStub> {
  const received: SmtpStubMessage[] = [];
  const queue: SmtpStubReply[] = [];

  /** The next scripted reply for this stage, if the head of the queue is for it. */
  function takeReply(stage: 'data' | 'rcpt'): SmtpStubReply | undefined {
    const next = queue[0];
    if (next === undefined || (next.stage ?? 'data') !== stage) return undefined;
    return queue.shift();
  }

  const server = new SMTPServer({
    authOptional: true,
    // Without TLS the client may still authenticate: this is a loopback-only test server.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // No reverse DNS of the client: loopback only, and the lookup costs ~100 ms per connection.
    disableReverseLookup: true,
    // Connections still busy at close() get this long to finish before they are cut.
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      const expected = options.credentials;
      if (expected !== undefined && (auth.username !== expected.user || auth.password !== expected.pass)) {
        callback(smtpError({ responseCode: 535, message: '5.7.8 Authentication credentials invalid' }));
        return;
      }
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      const reply = takeReply('rcpt');
      callback(reply === undefined ? null : smtpError(reply));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      readStream(stream).then(
        (raw) => {
          const reply = takeReply('data');
          received.push({
            ...parseMimeMessage(raw),
            at: Date.now(),
            mailFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((address) => address.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw,
            responseCode: reply?.responseCode ?? 250,
          });
          callback(reply === undefined ? null : smtpError(reply));
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });

  // A client that dies mid-session (a killed worker) resets its socket; a real SMTP server shrugs that off.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    received,
    script: (...replies) => {
      queue.push(...replies);
    },
    waitFor: (predicate, timeoutMs = 2000) => waitFor(() => predicate(received), timeoutMs, 'SMTP stub messages'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A test is over: end idle pooled client sessions now instead of after the grace period.
        for (const connection of server.connections) connection.close();
      }),
  };
}
