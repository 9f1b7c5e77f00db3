import { describe, expect, it } from 'vitest';
import { logOncePerCause } from './log-once-per-cause.ts';

function recorder() {
  const lines: { context: Record<string, unknown>; message: string }[] = [];
  return { lines, logger: { warn: (context: Record<string, unknown>, message: string) => lines.push({ context, message }) } };
}

describe('logOncePerCause', () => {
  it('when the same failure repeats, then it is logged once a minute with the number of repeats in between', () => {
    let time = 0;
    const { lines, logger } = recorder();
    const report = logOncePerCause(logger as never, 'relay pass failed', () => time);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

    for (let tick = 0; tick < 10; tick += 1) {
      report(refused);
      time += 1_000;
    }
    expect(lines).toHaveLength(1);
    time = 61_000;
    report(refused);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.context['repeatsSinceLastLog']).toBe(9);
  });

  it('when a different failure comes, then it is logged at once', () => {
    const { lines, logger } = recorder();
    const report = logOncePerCause(logger as never, 'x', () => 0);
    report(new Error('one'));
    report(new Error('two'));
    report(new Error('one'));
    expect(lines.map((line) => (line.context['err'] as Error).message)).toEqual(['one', 'two']);
  });
});
