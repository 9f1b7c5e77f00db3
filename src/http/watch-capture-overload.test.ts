import { describe, expect, it } from 'vitest';
import { CaptureLoad } from '../shared/capture-load.ts';
import {
  CALM,
  nextOverloadState,
  OVERLOAD_ENTER_SAMPLES,
  OVERLOAD_LEAVE_SAMPLES,
  OVERLOAD_SAMPLE_MS,
  watchCaptureOverload,
  type LoadSample,
  type OverloadState,
} from './watch-capture-overload.ts';

const after = (samples: LoadSample[], from: OverloadState = CALM) => samples.reduce(nextOverloadState, from);
const times = (count: number, sample: LoadSample) => Array.from({ length: count }, () => sample);
const BURST = { visitorsWait: true, loopBusy: true };
const STALL = { visitorsWait: true, loopBusy: false };
const QUIET = { visitorsWait: false, loopBusy: false };
const WORKING = { visitorsWait: false, loopBusy: true };

/** Keeps the event loop busy for `ms`, yielding every few milliseconds so timers still fire. */
async function burnCpu(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 20;
    while (performance.now() < slice) {
      // spin: this is the load
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('nextOverloadState', () => {
  it(`when ${OVERLOAD_ENTER_SAMPLES} samples in a row have visitors waiting and the loop busy, then capture is overloaded, and not one sample sooner`, () => {
    expect(after(times(OVERLOAD_ENTER_SAMPLES - 1, BURST)).overloaded).toBe(false);
    expect(after(times(OVERLOAD_ENTER_SAMPLES, BURST)).overloaded).toBe(true);
  });

  it('when visitors wait on an idle loop (a stall), or the loop is busy with none waiting (the pipeline), then it is no overload', () => {
    expect(after(times(OVERLOAD_ENTER_SAMPLES * 2, STALL)).overloaded).toBe(false);
    expect(after(times(OVERLOAD_ENTER_SAMPLES * 2, WORKING)).overloaded).toBe(false);
  });

  it('when another sample breaks the run, then counting starts again', () => {
    expect(after([...times(OVERLOAD_ENTER_SAMPLES - 1, BURST), STALL, ...times(OVERLOAD_ENTER_SAMPLES - 1, BURST)]).overloaded).toBe(false);
  });

  it(`when overloaded, then a stalled moment does not end it, nor one quiet sample, but ${OVERLOAD_LEAVE_SAMPLES} quiet ones in a row do`, () => {
    const overloaded = after(times(OVERLOAD_ENTER_SAMPLES, BURST));
    expect(after(times(OVERLOAD_LEAVE_SAMPLES * 3, STALL), overloaded).overloaded).toBe(true);
    expect(after([QUIET, BURST, QUIET, STALL, QUIET], overloaded).overloaded).toBe(true);
    expect(after(times(OVERLOAD_LEAVE_SAMPLES, QUIET), overloaded).overloaded).toBe(false);
    // A busy loop with no visitor waiting is the pipeline catching up: the burst is over.
    expect(after(times(OVERLOAD_LEAVE_SAMPLES, WORKING), overloaded).overloaded).toBe(false);
  });
});

describe('watchCaptureOverload', () => {
  it('when the event loop is busy with more requests in flight than the pool, then the flag goes up, and down once they are answered', async () => {
    const load = new CaptureLoad();
    const changes: boolean[] = [];
    const watcher = watchCaptureOverload({ load, poolSize: 2, onChange: (overloaded) => changes.push(overloaded) });
    try {
      for (let index = 0; index < 3; index++) load.enter();
      const deadline = performance.now() + 10_000;
      while (!load.isOverloaded() && performance.now() < deadline) await burnCpu(OVERLOAD_SAMPLE_MS);
      expect(load.isOverloaded()).toBe(true);
      for (let index = 0; index < 3; index++) load.leave();
      while (load.isOverloaded() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, OVERLOAD_SAMPLE_MS));
      expect(load.isOverloaded()).toBe(false);
      expect(changes).toEqual([true, false]);
    } finally {
      watcher.stop();
    }
  });

  it('when requests wait but the event loop is idle (a slow database), then it is not an overload', async () => {
    const load = new CaptureLoad();
    const watcher = watchCaptureOverload({ load, poolSize: 2 });
    try {
      for (let index = 0; index < 3; index++) load.enter();
      // Idle for longer than it takes to enter an overload.
      await new Promise((resolve) => setTimeout(resolve, (OVERLOAD_ENTER_SAMPLES + 5) * OVERLOAD_SAMPLE_MS));
      expect(load.isOverloaded()).toBe(false);
    } finally {
      watcher.stop();
    }
  });
});
