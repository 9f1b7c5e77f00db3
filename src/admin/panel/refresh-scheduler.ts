export interface RefreshRequest {
  /** Re-read the open lead too: an event touched it, or the live stream (re)opened. */
  detail: boolean;
}

export interface RefreshScheduler {
  request(what?: Partial<RefreshRequest>): void;
  /** Drops what is waiting (on sign-out); a refresh already running finishes. */
  cancel(): void;
}

/**
 * Coalesces refresh requests. Live events arrive in bursts (a lead, then its deliveries): the first request
 * of a burst schedules one refresh `delayMs` later and later ones ride along, so a steady stream refreshes
 * a few times a second instead of never (a plain debounce would keep postponing) or on every event.
 * Requests made while a refresh runs schedule one more after it, so a slow server never has refreshes
 * piling up and the last event is always followed by a refresh that saw it.
 */
export function createRefreshScheduler(run: (request: RefreshRequest) => Promise<void>, delayMs: number): RefreshScheduler {
  let pending: RefreshRequest | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;

  const start = () => {
    if (timer !== undefined || running || !pending) return;
    timer = setTimeout(() => {
      timer = undefined;
      const request = pending;
      pending = undefined;
      if (!request) return;
      running = true;
      const done = () => {
        running = false;
        start();
      };
      // `run` reports its own failures; a rejection must not stop later refreshes.
      void run(request).then(done, done);
    }, delayMs);
  };

  return {
    request(what = {}) {
      pending = { detail: (pending?.detail ?? false) || (what.detail ?? false) };
      start();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
