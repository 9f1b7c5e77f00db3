/**
 * The fault suite runs in two forms from the same files. `short` (the default, and what `npm test` runs) keeps
 * every fault but with shorter durations and fewer repetitions; `long` (`npm run test:faults`) runs the figures
 * at full length. Chosen by `FAULT_SUITE=short|long`.
 */
export type SuiteForm = 'short' | 'long';

export const SUITE_FORM: SuiteForm = process.env['FAULT_SUITE'] === 'long' ? 'long' : 'short';

/** The value for the running form. */
export function byForm<T>(values: { short: T; long: T }): T {
  return values[SUITE_FORM];
}
