/** Assertions the fault tests share, with messages that say what the figure is and what was measured. */
import { expect } from 'vitest';
import { describeReport, type CheckReport } from './checker.ts';
import { describeStats, type Ledger, type LedgerEntry } from './ledger.ts';

/** The contract: no request waits more than this for an answer. */
export const MAX_ANSWER_MS = 5_000;

/**
 * Every request got an HTTP answer (no reset, refusal or timeout) with one of `allowed`, within 5 s, and every
 * 503 said when to retry.
 */
export function expectFastAnswers(
  ledger: Ledger,
  options: { allowed: readonly number[]; entries?: readonly LedgerEntry[]; what?: string },
): void {
  const entries = options.entries ?? ledger.entries;
  const stats = ledger.stats(entries);
  const what = `${options.what ?? 'the load'} (${describeStats(stats)})`;
  expect(stats.open, `${what}: requests still open`).toBe(0);
  expect(stats.errors.reset, `${what}: connections reset`).toBe(0);
  expect(stats.errors.timeout, `${what}: requests without an answer within 10 s`).toBe(0);
  expect(stats.errors.refused, `${what}: connections refused`).toBe(0);
  expect(stats.errors.other, `${what}: other request errors`).toBe(0);
  const unexpected = Object.keys(stats.byStatus).filter((status) => !options.allowed.includes(Number(status)));
  expect(unexpected, `${what}: answers other than ${options.allowed.join('/')}`).toEqual([]);
  expect(stats.unavailableWithoutRetryAfter, `${what}: 503 answers without Retry-After`).toBe(0);
  expect(stats.maxAnswerMs, `${what}: the slowest answer must come within ${MAX_ANSWER_MS} ms`).toBeLessThanOrEqual(MAX_ANSWER_MS);
}

/** Nothing acknowledged is lost: every such lead is stored and reached every channel. */
export function expectNothingLost(report: CheckReport): void {
  expect(report.notStored.length, `acknowledged leads without a stored row\n${describeReport(report)}`).toBe(0);
  expect(report.lost, `acknowledged leads stored but never alerted on some channel\n${describeReport(report)}`).toBe(0);
}

/** Every repeat a provider received is flagged `possible_duplicate` on an attempt of that lead and channel. */
export function expectDuplicatesFlagged(report: CheckReport): void {
  expect(report.unflaggedRepeats, `repeated alerts without a possible_duplicate attempt\n${describeReport(report)}`).toBe(0);
}

export function expectCatchUpWithin(report: CheckReport, limitMs: number, from: string): void {
  expect(report.catchUpMs, `no alert arrived after ${from}\n${describeReport(report)}`).toBeDefined();
  expect(
    report.catchUpMs!,
    `the last alert must arrive within ${limitMs / 1000} s of ${from}\n${describeReport(report)}`,
  ).toBeLessThanOrEqual(limitMs);
}
