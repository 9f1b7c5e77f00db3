import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { CaptureLoad } from '../shared/capture-load.ts';

/** How often the API thread looks at its own load. */
export const OVERLOAD_SAMPLE_MS = 100;

/**
 * An overload starts with a sample in which the event loop ran this share of the time or more (visitors'
 * requests, and on one event loop the workers too; under a closed-loop burst it measures 0.7-1.0, behind a
 * stalled database 0.0-0.1) while more requests were in flight than the pool serves at once. Both are needed: requests piling up behind a slow database leave the event loop idle (a stall,
 * not an overload: the CPU is free), and a busy loop with few requests waiting is the pipeline working,
 * which is what it should do.
 */
export const OVERLOAD_MIN_UTILIZATION = 0.7;

/** One second of such samples in a row: a burst, not a hiccup (a GC pause, one slow commit). */
export const OVERLOAD_ENTER_SAMPLES = 10;

/**
 * It ends when visitors no longer wait: a second of samples in a row with no more requests in flight than
 * the pool serves (a lull of a few hundred milliseconds inside a burst does not end it). The event loop is not
 * asked here: during a burst it idles whenever Postgres stalls for a moment (a checkpoint's flush), and the
 * burst is not over for that.
 */
export const OVERLOAD_LEAVE_SAMPLES = 10;

/** One look at the API. */
export interface LoadSample {
  /** More requests in flight than the pool serves at once: visitors wait. */
  visitorsWait: boolean;
  /** The event loop ran OVERLOAD_MIN_UTILIZATION of the sample or more. */
  loopBusy: boolean;
}

export interface OverloadState {
  overloaded: boolean;
  /** Consecutive samples that point to the other state. */
  streak: number;
}

export const CALM: OverloadState = { overloaded: false, streak: 0 };

/**
 * The state after one more sample: an overload starts after OVERLOAD_ENTER_SAMPLES samples in a row with
 * visitors waiting and the loop busy, and ends after OVERLOAD_LEAVE_SAMPLES in a row with no visitor waiting.
 */
export function nextOverloadState(state: OverloadState, sample: LoadSample): OverloadState {
  const towardsOther = state.overloaded ? !sample.visitorsWait : sample.visitorsWait && sample.loopBusy;
  if (!towardsOther) return { overloaded: state.overloaded, streak: 0 };
  const streak = state.streak + 1;
  const needed = state.overloaded ? OVERLOAD_LEAVE_SAMPLES : OVERLOAD_ENTER_SAMPLES;
  return streak >= needed ? { overloaded: !state.overloaded, streak: 0 } : { overloaded: state.overloaded, streak };
}

/**
 * Decides, in the API's thread, whether capture is overloaded: out of CPU with visitors waiting, for a second
 * or more. The answer goes into `load` (shared with a worker thread), where the relay reads it to hold alerts
 * back for the burst (startRelay's `captureIsOverloaded`). The flag is written on each change only.
 * `onChange` hears each change, with how long the overload lasted when it ends.
 */
export function watchCaptureOverload(deps: {
  load: CaptureLoad;
  /** The API's pool size: more requests in flight than this are waiting for a connection. */
  poolSize: number;
  onChange?: (overloaded: boolean, lastedMs: number) => void;
}): { stop(): void } {
  let state = CALM;
  let since = performance.now();
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  const sampler = setInterval(() => {
    const current = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(current, previous);
    previous = current;
    const next = nextOverloadState(state, {
      visitorsWait: deps.load.inFlight() > deps.poolSize,
      loopBusy: utilization >= OVERLOAD_MIN_UTILIZATION,
    });
    if (next.overloaded !== state.overloaded) {
      const now = performance.now();
      deps.load.setOverloaded(next.overloaded);
      deps.onChange?.(next.overloaded, now - since);
      since = now;
    }
    state = next;
  }, OVERLOAD_SAMPLE_MS);
  sampler.unref();
  return {
    stop() {
      clearInterval(sampler);
      if (state.overloaded) deps.load.setOverloaded(false);
    },
  };
}
