/**
 * The SQL expression for a lead's `SlaState` (lead-vocabulary.ts) at `now` (a `$n` placeholder holding a
 * timestamptz) for the `conversations` row named `row`: a call of the database function `lead_sla_state`
 * (migrations/007_typed_events.sql), the one definition every list, count, digest and metric uses.
 */
export function slaStateSql(row: string, now: string): string {
  return /* sql */ `lead_sla_state(${row}.first_response_at, ${row}.sla_response_deadline, ${row}.sla_warning_at, ${row}.sla_breached, ${now}::timestamptz)`;
}
