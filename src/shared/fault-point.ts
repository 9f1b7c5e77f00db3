/**
 * Named places where the fault suite kills the process (`FAULT_POINT`), to prove what a crash exactly there
 * costs. Unset in production: reaching a point is then one comparison.
 * - before_send: a delivery attempt was started, the provider was not called.
 * - after_send: the provider accepted the message, the outcome is not recorded (the one crash that may
 *   repeat a message; the repeat is flagged `possible_duplicate`).
 * - before_commit: the relay enqueued jobs and marked events processed, the transaction is not committed.
 */
export const FAULT_POINTS = ['before_send', 'after_send', 'before_commit'] as const;
export type FaultPointName = (typeof FAULT_POINTS)[number];

export interface FaultPointSetting {
  point: FaultPointName;
  /** Die the Nth time the point is reached (1 = the first). */
  at: number;
}

export type ReachFaultPoint = (point: FaultPointName) => void;

export function createFaultPoints(
  setting: FaultPointSetting | undefined,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): ReachFaultPoint {
  if (!setting) return () => {};
  let reached = 0;
  return (point) => {
    if (point !== setting.point) return;
    reached += 1;
    if (reached === setting.at) kill();
  };
}
