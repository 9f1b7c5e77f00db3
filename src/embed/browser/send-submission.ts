import { classifyAnswer, type Answer } from './classify-answer.ts';
import type { Submission } from './open-pending-store.ts';

/** The server answers within 5 s or spools; past this the connection is as good as gone. */
const REQUEST_TIMEOUT_MS = 20_000;

/** One attempt: the same key and body every time. Never throws: a failure is an answer to retry. */
export async function sendSubmission(submission: Submission): Promise<Answer> {
  try {
    const response = await fetch(submission.url, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': submission.key },
      body: JSON.stringify(submission.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body: unknown = await response.json().catch(() => undefined);
    return classifyAnswer(response.status, body, response.headers.get('Retry-After'), Date.now());
  } catch {
    return { kind: 'retry', retryAfterMs: undefined };
  }
}
