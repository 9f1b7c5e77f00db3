import { ApiError } from './api.ts';
import { byId } from './dom.ts';

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short message at the top of the page; errors stay longer. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const box = byId('toast');
  box.textContent = message;
  box.dataset['kind'] = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(
    () => {
      box.hidden = true;
    },
    kind === 'error' ? 7_000 : 3_500,
  );
}

/** A failed call as an error toast; not for a 401, after which the panel has signed out and says why. */
export function reportError(what: string, error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return;
  toast(`${what}: ${error instanceof Error ? error.message : String(error)}`, 'error');
}
