import type { FormKind } from './read-embed-options.ts';

/** One visitor submission, exactly as it is sent every time: same key, same body, same route. */
export interface Submission {
  /** The Idempotency-Key: made once when the visitor presses send, never again for this submission. */
  key: string;
  url: string;
  body: Record<string, unknown>;
  form: FormKind;
  /** `Date.now()` when the visitor sent it. */
  savedAt: number;
}

export interface PendingStore {
  /** Keeps a submission until `remove`; false when the browser would not store it (it is then kept for this page only). */
  save(submission: Submission): boolean;
  remove(key: string): void;
  /** Every kept submission, oldest first; ones past their age limit or unreadable are dropped on the way. */
  list(nowMs: number): Submission[];
}

const PREFIX = 'leadline.pending.';
/**
 * A submission older than this is given up. It bounds how long a visitor's personal data waits in their
 * browser when a site is misconfigured (its origin missing from CORS_ORIGINS looks like a network error).
 */
export const MAX_PENDING_AGE_MS = 30 * 24 * 60 * 60_000;

function isSubmission(value: unknown): value is Submission {
  const item = value as Partial<Submission> | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.key === 'string' &&
    typeof item.url === 'string' &&
    typeof item.form === 'string' &&
    typeof item.savedAt === 'number' &&
    typeof item.body === 'object' &&
    item.body !== null
  );
}

/**
 * Submissions waiting for an acknowledgement, one `localStorage` entry each (so two tabs never overwrite
 * each other's list). Without storage (disabled, full, a private mode that refuses writes) they are kept in
 * memory and retried while the page stays open.
 */
export function openPendingStore(storage: Storage | undefined): PendingStore {
  const memory = new Map<string, Submission>();
  /** Runs `work` on the storage; false when there is none or it threw (quota, security settings). */
  const attempt = (work: (store: Storage) => void): boolean => {
    if (!storage) return false;
    try {
      work(storage);
      return true;
    } catch {
      return false;
    }
  };
  const remove = (key: string) => {
    memory.delete(key);
    attempt((store) => store.removeItem(PREFIX + key));
  };

  return {
    save(submission) {
      memory.set(submission.key, submission);
      return attempt((store) => store.setItem(PREFIX + submission.key, JSON.stringify(submission)));
    },
    remove,
    list(nowMs) {
      const found = new Map(memory);
      attempt((store) => {
        for (let index = store.length - 1; index >= 0; index--) {
          const name = store.key(index);
          if (!name?.startsWith(PREFIX)) continue;
          let value: unknown;
          try {
            value = JSON.parse(store.getItem(name) ?? '');
          } catch {
            value = undefined;
          }
          if (isSubmission(value) && PREFIX + value.key === name) found.set(value.key, value);
          else store.removeItem(name);
        }
      });
      const kept: Submission[] = [];
      for (const submission of found.values()) {
        if (nowMs - submission.savedAt > MAX_PENDING_AGE_MS) remove(submission.key);
        else kept.push(submission);
      }
      return kept.sort((a, b) => a.savedAt - b.savedAt);
    },
  };
}
