/**
 * What an erasure does to every table in `public`, one line each (docs/data-lifecycle.md shows the same). A
 * test holds this list against the migrated schema: a table added without a line here fails it, so a new
 * feature decides how its rows are erased before it ships.
 */
export const ERASURE_COVERAGE: Readonly<Record<string, string>> = {
  conversations:
    'the tombstone: name, email, phone, subject, message, custom fields, metadata, score reason texts and the request fingerprint cleared; an idempotency key that hashes the request or names the person replaced; id, source, quality, score, status, times and SLA fields kept; consent kept without its page',
  chat_messages: "deleted (the person's own words)",
  conversation_timeline:
    'every description cleared; a value quoted in a title, actor id or metadata replaced; a "Personal data erased" row added',
  lead_events: 'kept (ids, types, numbers); a value found in a payload or key replaced; a lead.erased event added',
  notification_logs: 'kept (the delivery history and its counts); a value quoted in an error, provider id or destination replaced',
  operator_alerts: "a value quoted in the title or detail of the lead's alerts replaced",
  follow_up_tasks: 'open tasks cancelled; a value quoted in a title or completed_by replaced',
  raw_leads:
    "bodies of the lead's payloads and of any payload holding its email or phone blanked, headers cut to how it came in; rows kept so a redelivery is still recognised",
  digests: 'the name, email and phone replaced in the subject, text and HTML of digests that name the lead',
  ingestion_state: 'a value quoted in last_error replaced',
  audit_log: 'a value quoted in an entry replaced; a lead.erase entry added',
  pending_erasures: 'ids and times only; the request is removed once applied',
  settings: 'no personal data (switches)',
  webhook_endpoints: 'no personal data (the state of each outbound endpoint: when and why it was disabled, never its URL)',
  delivery_pacing: "no personal data (the team's destinations)",
  worker_processes: 'no personal data (process presence)',
  schema_migrations: 'no personal data',
  agents:
    "staff, not leads: the team's names and work addresses are not a lead's data and an erasure leaves them; conversations.assigned_to is kept (it names the agent, not the person who asked)",
  assignment_cursor: 'no personal data (the round-robin counter)',
  team_link_keys: 'no personal data (the keys that sign team links)',
};
