import type { Answer } from './classify-answer.ts';
import type { PendingStore, Submission } from './open-pending-store.ts';
import { retryDelayMs } from './retry-delay.ts';

/** What the form that made a submission hears about it. */
export interface DeliveryListener {
  /** The server has the lead. `delayed`: it took more than the first attempt, or an earlier page sent it. */
  acknowledged(id: string, delayed: boolean): void;
  /** The server will never take it as it is; it is no longer kept. */
  refused(answer: Extract<Answer, { kind: 'refused' }>): void;
  /** The first attempt failed; it is kept (`durable`: in localStorage, else in this page only) and retried. */
  waiting(durable: boolean): void;
}

export interface Outbox {
  /** Keeps the submission, then sends it until it is acknowledged or refused. */
  submit(submission: Submission, listener: DeliveryListener): void;
}

export interface OutboxDeps {
  store: PendingStore;
  send: (submission: Submission) => Promise<Answer>;
  /** Who hears of a submission an earlier page made (no form on this page waits for it). */
  listenerFor: (submission: Submission) => DeliveryListener;
  now: () => number;
  random: () => number;
  /** Calls back when the browser says it is online again (`window`'s `online` event). */
  onOnline: (callback: () => void) => void;
}

/**
 * The page's one delivery loop. Every submission is written to the store before its first attempt (a
 * visitor who closes the tab at once loses nothing) and removed only when the server acknowledged it
 * (201, 200 duplicate, 202 spooled) or refused it for good. Failed attempts are retried with backoff while
 * the page is open, at once when the browser says it is online again, and from the store on the next page
 * load of any page with the embed. Every attempt carries the submission's own key, so a retry that crosses
 * an answer that was lost, or another tab sending the same submission, is a duplicate the server
 * recognises, never a second lead.
 */
export function startOutbox(deps: OutboxDeps): Outbox {
  const listeners = new Map<string, DeliveryListener>();
  const failures = new Map<string, number>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const inFlight = new Set<string>();
  /** Submissions made on this page, and whether the store kept them durably. */
  const savedHere = new Map<string, boolean>();

  async function attempt(submission: Submission): Promise<void> {
    const { key } = submission;
    if (inFlight.has(key)) return;
    clearTimeout(timers.get(key));
    timers.delete(key);
    inFlight.add(key);
    const answer = await deps.send(submission);
    inFlight.delete(key);
    const listener = listeners.get(key) ?? deps.listenerFor(submission);
    const failed = failures.get(key) ?? 0;
    if (answer.kind === 'retry') {
      failures.set(key, failed + 1);
      if (failed === 0) listener.waiting(savedHere.get(key) ?? true);
      timers.set(
        key,
        setTimeout(() => void attempt(submission), retryDelayMs(failed + 1, answer.retryAfterMs, deps.random())),
      );
      return;
    }
    const delayed = failed > 0 || !savedHere.has(key);
    deps.store.remove(key);
    listeners.delete(key);
    failures.delete(key);
    savedHere.delete(key);
    if (answer.kind === 'acknowledged') listener.acknowledged(answer.id, delayed);
    else listener.refused(answer);
  }

  deps.onOnline(() => {
    for (const submission of deps.store.list(deps.now())) if (timers.has(submission.key)) void attempt(submission);
  });
  for (const submission of deps.store.list(deps.now())) void attempt(submission);

  return {
    submit(submission, listener) {
      listeners.set(submission.key, listener);
      savedHere.set(submission.key, deps.store.save(submission));
      void attempt(submission);
    },
  };
}
