import type { Answer } from './classify-answer.ts';
import type { PageMetadata } from './collect-metadata.ts';
import { newIdempotencyKey } from './new-idempotency-key.ts';
import type { EmbedOptions, FormKind } from './read-embed-options.ts';
import type { Outbox } from './start-outbox.ts';

/** What one rendered embed needs from the page. */
export interface EmbedContext {
  host: HTMLElement;
  options: EmbedOptions;
  outbox: Outbox;
  metadata: () => PageMetadata;
  /** True while a submission an earlier page made to this form's route still waits to be acknowledged. */
  pendingEarlier: () => boolean;
}

/** How a rendered form shows the course of one submission. */
export interface SubmitView {
  setBusy(busy: boolean): void;
  /** The lead is safe on the server; `text` is the site's success text. */
  showDone(text: string): void;
  /** The first attempt failed; the submission is kept and will be sent. */
  showWaiting(text: string): void;
  showRefused(answer: Extract<Answer, { kind: 'refused' }>): void;
}

/** The `detail` of the `leadline:submitted` event: ids and kinds only, so analytics scripts get no personal data. */
export interface SubmittedDetail {
  id: string;
  form: FormKind;
  /** True when it was acknowledged after a failed attempt, or sent again by a later page load. */
  delayed: boolean;
}

export const WAITING_SAVED =
  'We could not reach our server just now. Your message is saved in this browser and will be sent automatically: while this page is open, or the next time you visit this site.';
export const WAITING_THIS_PAGE =
  'We could not reach our server just now. Please keep this page open: your message will be sent automatically as soon as the connection is back.';

export const EARLIER_WAITING =
  'A message you sent earlier is saved in this browser and will be sent automatically as soon as we can reach our server. There is no need to send it again.';
export const EARLIER_SENT = 'Your earlier message has now been sent.';

/**
 * Keeps `note` saying whether a message from an earlier visit is still waiting: the visitor who reloads
 * during an outage sees their message is not lost, and does not send it twice.
 */
export function watchEarlierSubmission(context: EmbedContext, note: HTMLElement): void {
  if (!context.pendingEarlier()) return;
  note.textContent = EARLIER_WAITING;
  document.addEventListener('leadline:submitted', (event) => {
    const detail = (event as CustomEvent<SubmittedDetail>).detail;
    if (detail.delayed && detail.form === context.options.form && note.textContent === EARLIER_WAITING && !context.pendingEarlier()) {
      note.textContent = EARLIER_SENT;
    }
  });
}

/** Fires `leadline:submitted`; it bubbles out of the shadow root, so `document` hears every embed's. */
export function dispatchSubmitted(target: EventTarget, detail: SubmittedDetail): void {
  target.dispatchEvent(new CustomEvent<SubmittedDetail>('leadline:submitted', { bubbles: true, composed: true, detail }));
}

/** Sends what the visitor entered as one submission with its own Idempotency-Key, and reports its course to `view`. */
export function submitLead(context: EmbedContext, fields: Record<string, unknown>, view: SubmitView): void {
  const { options } = context;
  view.setBusy(true);
  context.outbox.submit(
    {
      key: newIdempotencyKey(),
      url: options.endpoint,
      body: { ...fields, metadata: context.metadata() },
      form: options.form,
      savedAt: Date.now(),
    },
    {
      acknowledged(id, delayed) {
        view.setBusy(false);
        view.showDone(options.success);
        dispatchSubmitted(context.host, { id, form: options.form, delayed });
      },
      refused(answer) {
        view.setBusy(false);
        view.showRefused(answer);
      },
      waiting(durable) {
        view.setBusy(false);
        view.showWaiting(durable ? WAITING_SAVED : WAITING_THIS_PAGE);
      },
    },
  );
}
