export type LogFormatSetting = 'auto' | 'json' | 'pretty';

/**
 * How log lines are written: `pretty` (coloured, one readable line per entry) for a person at a terminal,
 * JSON lines for everything else (log shippers, `docker logs`, files, pipes). LOG_FORMAT forces one; `auto`
 * asks whether stdout is a terminal. ROLE=all's worker thread never has a terminal of its own, so main()
 * decides once and hands the answer to the thread (workerThreadConfig copies `logFormat`).
 */
export function chooseLogFormat(setting: LogFormatSetting, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}
