-- Every running Leadline process registers here and beats every second. A process that stops beating
-- (killed, frozen, cut off from the database) is dead after a short lease, and what it held is taken over at
-- once instead of waiting out the long delivery lease. A clean shutdown sets stopped_at.
CREATE TABLE worker_processes (
  id           uuid PRIMARY KEY,
  role         text NOT NULL CHECK (role IN ('api', 'worker', 'all')),
  hostname     text NOT NULL,
  pid          integer NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at   timestamptz
);
CREATE INDEX worker_processes_heartbeat_idx ON worker_processes (heartbeat_at);

-- The process that started a `sending` attempt. While it lives the attempt is its own; once it is dead the
-- attempt is closed as interrupted and sent again (flagged as a possible duplicate when it was dispatched).
-- NULL for attempts written before this migration: those fall back to the delivery lease.
ALTER TABLE notification_logs ADD COLUMN process_id uuid;
