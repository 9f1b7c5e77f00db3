/**
 * The SQL expression for a lead's `SlaState` (lead-vocabulary.ts) at `now`, a `$n` placeholder holding a
 * timestamptz, for the `conversations` row named `row`. One definition for the lead list, the lead detail
 * and the stat cards, so a lead the table calls breached is one the "Overdue" card counts. It decides from
 * the row and the clock, not from whether the SLA monitor has run yet (the monitor's `sla_breached` flag
 * counts too): the same rule as the SLA banner's `listSlaLeads`.
 */
export function slaStateSql(row: string, now: string): string {
  return /* sql */ `(CASE
    WHEN ${row}.first_response_at IS NOT NULL
      THEN CASE WHEN ${row}.first_response_at <= ${row}.sla_response_deadline THEN 'met' ELSE 'missed' END
    WHEN ${row}.sla_breached OR ${row}.sla_response_deadline <= ${now}::timestamptz THEN 'breached'
    WHEN ${row}.sla_warning_at <= ${now}::timestamptz THEN 'at_risk'
    ELSE 'open'
  END)`;
}
