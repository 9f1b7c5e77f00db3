import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.ts';

describe('retryDelayMs', () => {
  it('when attempts keep failing, then the wait doubles from 2 s up to 5 minutes, jittered between half and all of each step', () => {
    expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, undefined, 1))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(1, undefined, 0)).toBe(1_000);
    expect(retryDelayMs(20, undefined, 1)).toBe(300_000);
    expect(retryDelayMs(200, undefined, 0.5)).toBe(225_000);
  });

  it('when the server sent Retry-After, then the wait is never shorter than it, and at most an hour', () => {
    expect(retryDelayMs(1, 5_000, 1)).toBe(5_000);
    expect(retryDelayMs(6, 5_000, 1)).toBe(64_000);
    expect(retryDelayMs(1, 24 * 3_600_000, 0)).toBe(3_600_000);
  });
});
