-- New events are no longer announced by a trigger. A NOTIFY inside a transaction takes Postgres's one
-- notification-queue lock at commit, so every capture commit waited its turn behind every other (measured:
-- a third of the capture backends' time at 500 leads/s, three quarters at 1,200, waiting on `Lock:object`).
-- The writers now announce after commit, at most every few milliseconds and without a payload
-- (src/events/announce-events.ts); listeners read what is new from the table. NOTIFY stays a latency hint:
-- the relay polls, the live stream and the SLA monitor read from the table.
DROP TRIGGER lead_events_announce ON lead_events;
DROP FUNCTION announce_lead_event();
