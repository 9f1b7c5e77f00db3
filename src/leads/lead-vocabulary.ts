/**
 * The closed sets of words the admin API speaks about a lead, in one place for the server and the browser
 * panel. This module imports nothing, so the panel's bundle may take its values; everything else the panel
 * takes from the server is types only (see eslint.config.js). The database's CHECK constraints
 * (migrations/001_schema.sql) say the same and are the final word on what a row may hold.
 */

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'converted', 'lost', 'spam'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LEAD_QUALITIES = ['hot', 'warm', 'cold'] as const;
export type LeadQuality = (typeof LEAD_QUALITIES)[number];

/**
 * Where a lead stands against its response deadline at one moment: unanswered leads are `open`, then
 * `at_risk` from their warning time, then `breached`; answered ones are `met` or `missed` for good.
 * Computed by the database from the row and the request's clock (slaStateSql), never by the browser.
 */
export const SLA_STATES = ['open', 'at_risk', 'breached', 'met', 'missed'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** Who an agent is on the team: agents are assigned leads; managers are not, and get the escalations. */
export const AGENT_ROLES = ['agent', 'manager'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** The addresses an agent may have, each a delivery channel of its own (`agent:<id>:<kind>`). */
export const AGENT_ADDRESS_KINDS = ['email', 'telegram', 'slack'] as const;
export type AgentAddressKind = (typeof AGENT_ADDRESS_KINDS)[number];
