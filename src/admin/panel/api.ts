// The admin API as the panel sees it. Response types are the server's own (import type, erased from the
// bundle), put through Jsonified: what res.json() makes of them on the wire.
import type { DeadLetters } from '../../delivery/list-dead-letters.ts';
import type { WebhookEndpointsResponse } from '../../delivery/webhook-endpoint-routes.ts';
import type { SlaOverview } from '../../sla/list-sla-leads.ts';
import type { AdminPanelConfig } from '../admin-panel-routes.ts';
import type { AdminStatsResponse } from '../admin-read-routes.ts';
import type { LeadDetail } from '../get-lead-detail.ts';
import type { LeadStatus } from '../../leads/lead-vocabulary.ts';
import type { LeadListPage } from '../list-leads.ts';
import type { AgentView } from '../../team/agent-row.ts';

/** A server type after JSON.stringify and JSON.parse: Dates become ISO strings, the rest stays. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

export type LeadListResponse = Jsonified<LeadListPage>;
export type LeadRow = LeadListResponse['items'][number];
export type LeadDetailResponse = Jsonified<LeadDetail>;
export type StatsResponse = Jsonified<AdminStatsResponse>;
export type SlaResponse = Jsonified<SlaOverview>;
export type DeadLettersResponse = Jsonified<DeadLetters>;
export type WebhookEndpointsAnswer = Jsonified<WebhookEndpointsResponse>;
export type WebhookEndpointRow = WebhookEndpointsAnswer['endpoints'][number];
export type AgentRow = Jsonified<AgentView>;

/** What the Team page sends to add or change an agent (the admin API validates it). */
export interface AgentInput {
  name?: string;
  email?: string | null;
  telegram_chat_id?: string | null;
  slack_webhook_url?: string | null;
  role?: 'agent' | 'manager';
  sources?: string[] | null;
  active?: boolean;
}

/**
 * The write routes build their answers inline (src/sla/sla-admin-routes.ts, src/delivery/delivery-admin-routes.ts)
 * and export no type for them, so these name only the fields the panel reads.
 */
export interface RespondAnswer {
  already_responded?: true;
}
export interface DeliverySwitchAnswer {
  paused: boolean;
}
export interface EnableEndpointAnswer {
  was_disabled: boolean;
  resent: number;
}

export const STREAM_PATH = '/api/admin/stream';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function bearer(key: string): string {
  return `Bearer ${key}`;
}

export interface AdminApi {
  leads(query: URLSearchParams): Promise<LeadListResponse>;
  lead(id: string): Promise<LeadDetailResponse>;
  stats(): Promise<StatsResponse>;
  sla(): Promise<SlaResponse>;
  deadLetters(): Promise<DeadLettersResponse>;
  deliveries(): Promise<DeliverySwitchAnswer>;
  setPaused(paused: boolean): Promise<DeliverySwitchAnswer>;
  respond(leadId: string): Promise<RespondAnswer>;
  setStatus(leadId: string, status: LeadStatus): Promise<unknown>;
  retry(deadLetterId: string): Promise<unknown>;
  webhookEndpoints(): Promise<WebhookEndpointsAnswer>;
  enableWebhookEndpoint(name: string): Promise<EnableEndpointAnswer>;
  agents(): Promise<{ items: AgentRow[] }>;
  createAgent(body: AgentInput): Promise<AgentRow>;
  updateAgent(id: string, body: AgentInput): Promise<AgentRow>;
}

/**
 * Every call sends the key as `Authorization: Bearer`, never in the URL. A 401 means the key stopped
 * working (rotated, or typed wrong earlier): `onUnauthorized` signs the panel out.
 */
export function createAdminApi(session: { key(): string; onUnauthorized(): void }): AdminApi {
  async function request<T>(path: string, options: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: bearer(session.key()), accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      cache: 'no-store',
    });
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    const data: unknown = isJson ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      if (response.status === 401) session.onUnauthorized();
      throw new ApiError(response.status, problemDetail(data) ?? `HTTP ${response.status}`);
    }
    // The trust boundary: the body is what the server's type says it is.
    return data as T;
  }
  const lead = (id: string) => `/api/admin/leads/${encodeURIComponent(id)}`;

  return {
    leads: (query) => request(`/api/admin/leads?${query.toString()}`),
    lead: (id) => request(lead(id)),
    stats: () => request('/api/admin/stats'),
    sla: () => request('/api/admin/sla'),
    deadLetters: () => request('/api/admin/failed'),
    deliveries: () => request('/api/admin/deliveries'),
    setPaused: (paused) => request(paused ? '/api/admin/pause' : '/api/admin/resume', { method: 'POST', body: {} }),
    respond: (id) => request(`${lead(id)}/respond`, { method: 'POST', body: {} }),
    setStatus: (id, status) => request(lead(id), { method: 'PATCH', body: { status } }),
    retry: (id) => request(`/api/admin/failed/${encodeURIComponent(id)}/retry`, { method: 'POST', body: {} }),
    webhookEndpoints: () => request('/api/admin/webhook-endpoints'),
    enableWebhookEndpoint: (name) =>
      request(`/api/admin/webhook-endpoints/${encodeURIComponent(name)}/enable`, { method: 'POST', body: {} }),
    agents: () => request('/api/admin/agents'),
    createAgent: (body) => request('/api/admin/agents', { method: 'POST', body }),
    updateAgent: (id, body) => request(`/api/admin/agents/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  };
}

function problemDetail(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('detail' in body)) return undefined;
  return typeof body.detail === 'string' ? body.detail : undefined;
}

/** The HTTP status `key` gets from the API, to tell a wrong key (401) from a server that is down. */
export async function probeAdminKey(key: string): Promise<number> {
  const response = await fetch('/api/admin/stats', { headers: { authorization: bearer(key) }, cache: 'no-store' });
  await response.body?.cancel();
  return response.status;
}

/** How to take live updates; the server's own stream when the config cannot be read. */
export async function readPanelConfig(): Promise<AdminPanelConfig> {
  try {
    const response = await fetch('/admin/config.json', { cache: 'no-store' });
    if (response.ok) return (await response.json()) as AdminPanelConfig;
  } catch {
    // fall through to the default
  }
  return { live_updates: 'sse' };
}
