import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_WAIT_MS, planFailedAttempts } from './plan-failed-attempts.ts';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from './retry-schedule.ts';

const now = new Date('2026-12-01T12:00:00Z');
const attempt = (tries: number) => ({ logId: '41', eventId: '9', round: 0, tries });
const noJitter = () => 0.5;

describe('planFailedAttempts', () => {
  it('when the provider rate-limits with a wait, then the retry comes after that wait and spends no try', () => {
    expect(planFailedAttempts([attempt(2)], { kind: 'rate_limited', retryAfterMs: 7_000 }, now)).toEqual([
      { logId: '41', eventId: '9', round: 0, tries: 2, nextAttemptAt: new Date(now.getTime() + 7_000) },
    ]);
  });

  it('when the provider rate-limits without saying how long, then the retry waits the default', () => {
    const [planned] = planFailedAttempts([attempt(0)], { kind: 'rate_limited' }, now);
    expect(planned?.nextAttemptAt).toEqual(new Date(now.getTime() + DEFAULT_RATE_LIMIT_WAIT_MS));
  });

  it('when an error is transient, then the next try follows the backoff schedule', () => {
    const [planned] = planFailedAttempts([attempt(0)], { kind: 'transient' }, now, noJitter);
    expect(planned).toEqual({
      logId: '41',
      eventId: '9',
      round: 0,
      tries: 1,
      nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[0]!),
    });
  });

  it('when the last transient try fails, then the delivery is dead', () => {
    const [planned] = planFailedAttempts([attempt(MAX_ATTEMPTS - 1)], { kind: 'transient' }, now, noJitter);
    expect(planned).toMatchObject({ tries: MAX_ATTEMPTS, nextAttemptAt: undefined });
  });

  it('when an error is permanent, then the delivery is dead at once, whatever tries are left', () => {
    expect(
      planFailedAttempts([attempt(0), { ...attempt(1), logId: '42' }], { kind: 'permanent' }, now).map((entry) => entry.nextAttemptAt),
    ).toEqual([undefined, undefined]);
  });
});
