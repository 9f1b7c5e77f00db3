-- Every delivery starts as a `sending` row that is closed moments later (sent, failed, skipped), and the
-- statements that close it look it up by id AND status = 'sending'. Without an index of its own, the planner
-- can answer that status condition from notification_logs_one_live_attempt_idx (status sending OR sent),
-- reading every successful attempt ever made: 2.4-2.8 ms per closing statement on a few thousand rows in the
-- bench (docs/benchmarks.md, "What the statements cost"), growing with history, and more than half of Postgres's CPU
-- at 100 leads/s with three channels. This index holds only the attempts in flight (a handful at any time), so
-- closing one costs the same on the first day and after a year.
CREATE INDEX IF NOT EXISTS notification_logs_in_flight_idx ON notification_logs (id) WHERE status = 'sending';
