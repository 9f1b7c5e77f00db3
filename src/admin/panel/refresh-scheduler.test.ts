import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRefreshScheduler, type RefreshRequest } from './refresh-scheduler.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createRefreshScheduler', () => {
  it('when a burst of requests arrives, then one refresh runs after the delay with the requests merged', async () => {
    const runs: RefreshRequest[] = [];
    const scheduler = createRefreshScheduler(async (request) => {
      runs.push(request);
    }, 250);
    scheduler.request();
    scheduler.request({ detail: true });
    scheduler.request();
    await vi.advanceTimersByTimeAsync(249);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([{ detail: true }]);
  });

  it('when requests keep coming, then refreshes still run every delay instead of being postponed', async () => {
    let runs = 0;
    const scheduler = createRefreshScheduler(async () => {
      runs += 1;
    }, 250);
    for (let ms = 0; ms < 1_000; ms += 50) {
      scheduler.request();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(runs).toBeGreaterThanOrEqual(3);
  });

  it('when requests arrive while a refresh runs, then exactly one more follows it, and none overlaps', async () => {
    let finish = () => {};
    let running = 0;
    let overlapped = false;
    const runs: RefreshRequest[] = [];
    const scheduler = createRefreshScheduler((request) => {
      runs.push(request);
      running += 1;
      overlapped ||= running > 1;
      return new Promise<void>((resolve) => {
        finish = () => {
          running -= 1;
          resolve();
        };
      });
    }, 250);
    scheduler.request();
    await vi.advanceTimersByTimeAsync(250);
    scheduler.request();
    scheduler.request({ detail: true });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(1);
    finish();
    await vi.advanceTimersByTimeAsync(250);
    expect(runs).toEqual([{ detail: false }, { detail: true }]);
    finish();
    expect(overlapped).toBe(false);
  });

  it('when a refresh fails or the scheduler is cancelled, then later requests still refresh and cancelled ones do not', async () => {
    const runs: RefreshRequest[] = [];
    const scheduler = createRefreshScheduler(async (request) => {
      runs.push(request);
      throw new Error('server down');
    }, 250);
    scheduler.request();
    await vi.advanceTimersByTimeAsync(250);
    scheduler.request({ detail: true });
    scheduler.cancel();
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.request();
    await vi.advanceTimersByTimeAsync(250);
    expect(runs).toEqual([{ detail: false }, { detail: false }]);
  });
});
