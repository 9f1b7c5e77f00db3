/**
 * A local stand-in for Meta's Graph API (lead ads), speaking its real shapes on 127.0.0.1:
 * - `GET /v24.0/{lead_id}?fields=…&access_token=…` → the lead, or error 100/33 when it does not exist;
 * - `GET /v24.0/{form_id}/leads?fields=…&filtering=[…]&limit=…&after=…` → `{data, paging:{cursors, next}}`,
 *   newest first, filtered on `time_created` (GREATER_THAN / LESS_THAN / IN_RANGE);
 * - `GET /v24.0/me?fields=id` → the Page the token belongs to;
 * and Meta's real error bodies `{error:{message, type, code, error_subcode, fbtrace_id}}`: 190 when the token
 * is wrong or expired, and any scripted error (rate limits 4/17/32/613/80005, transient 2, HTTP 500).
 * Every request is recorded. `POST /__stub/leads` adds a lead (for demos).
 *
 * Standalone: `node test/stubs/start-graph-stub.ts [--port 4100] [--token stub-token]` prints the variables
 * to point Leadline at it; unknown lead ids are then answered with a generated test lead, like Meta's Lead
 * Ads Testing Tool creates one, so `npm run meta:simulate` works end to end.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { readRequestBody } from './read-request-body.ts';
import { waitFor } from './wait-for.ts';

export interface StubLead {
  id: string;
  form_id: string;
  /** Meta's format: `2026-03-01T10:00:00+0000`. */
  created_time: string;
  field_data: { name: string; values: string[] }[];
  ad_id?: string;
  ad_name?: string;
  adset_id?: string;
  adset_name?: string;
  campaign_id?: string;
  campaign_name?: string;
  is_organic?: boolean;
  platform?: string;
  custom_disclaimer_responses?: { checkbox_key: string; is_checked: string }[];
}

export interface NewStubLead extends Partial<Omit<StubLead, 'created_time'>> {
  form_id: string;
  created_time?: Date | string;
}

/** A scripted Graph error for the next matching requests. */
export interface StubGraphError {
  code: number;
  status?: number;
  subcode?: number;
  message?: string;
  type?: string;
  isTransient?: boolean;
  /** Extra response headers, e.g. `x-business-use-case-usage`. */
  headers?: Record<string, string>;
}

export interface GraphStubRequest {
  at: number;
  method: string;
  /** Path after the version, e.g. `12345678901234567` or `555/leads` or `me`. */
  path: string;
  query: URLSearchParams;
  status: number;
  /** The Graph error code answered, if any. */
  errorCode?: number;
}

export interface GraphStub {
  /** Base URL including the version, e.g. `http://127.0.0.1:PORT/v24.0` (META_GRAPH_URL). */
  url: string;
  /** The access token the stub accepts. */
  token: string;
  requests: GraphStubRequest[];
  addLead(lead: NewStubLead): StubLead;
  /** Every request now gets 190/463 "Session has expired" (the token expired). */
  expireToken(): void;
  /** Accept the token again (someone created a new one). */
  acceptToken(): void;
  /**
   * Answer the next `count` lead or leads requests (only those `match` accepts, when given) with this error.
   * `match` sees the path after the version (`123` or `555/leads`) and the query.
   */
  failNext(error: StubGraphError, count?: number, match?: (request: { path: string; query: URLSearchParams }) => boolean): void;
  /** Lead fetches (`GET /{lead_id}`) wait until the returned function is called. */
  holdLeadFetches(): () => void;
  waitFor(predicate: (requests: GraphStubRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface GraphStubOptions {
  port?: number;
  token?: string;
  version?: string;
  /** Answer unknown lead ids with a generated test lead (demo mode) instead of error 100. */
  autoCreateLeads?: boolean;
  pageId?: string;
}

/** A 15-17 digit id like Meta's, as text. */
export function randomGraphId(digits = 17): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

/** `2026-03-01T10:00:00+0000`, the way the Graph API writes times. */
export function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

const fbtraceId = () => randomBytes(8).toString('base64url');

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }).end(JSON.stringify(body));
}

function errorBody(error: StubGraphError): { error: Record<string, unknown> } {
  return {
    error: {
      message: error.message ?? `(#${error.code}) An error occurred`,
      type: error.type ?? 'OAuthException',
      ...(error.isTransient === undefined ? {} : { is_transient: error.isTransient }),
      code: error.code,
      ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
      fbtrace_id: fbtraceId(),
    },
  };
}

/** The error Meta sends for an expired token. */
const EXPIRED_TOKEN: StubGraphError = {
  code: 190,
  subcode: 463,
  status: 400,
  message:
    'Error validating access token: Session has expired on Tuesday, 10-Mar-26 10:00:00 PDT. The current time is Tuesday, 10-Mar-26 11:00:00 PDT.',
};
const INVALID_TOKEN: StubGraphError = { code: 190, status: 400, message: 'Invalid OAuth access token - Cannot parse access token' };

function testLead(id: string, formId: string): StubLead {
  return {
    id,
    form_id: formId,
    created_time: graphTime(new Date()),
    field_data: [
      { name: 'full_name', values: ['<test lead: dummy data for full_name>'] },
      { name: 'email', values: ['test@fb.com'] },
      { name: 'phone_number', values: ['+14155550100'] },
      { name: 'what_service_do_you_need?', values: ['<test lead: dummy data for what_service_do_you_need?>'] },
    ],
    is_organic: false,
    platform: 'fb',
  };
}

function pickFields(lead: StubLead, fields: string | null): Record<string, unknown> {
  const wanted = (fields ?? 'id,created_time').split(',').map((field) => field.trim());
  const output: Record<string, unknown> = { id: lead.id };
  for (const field of wanted) {
    const value = (lead as unknown as Record<string, unknown>)[field];
    if (value !== undefined) output[field] = value;
  }
  return output;
}

/** Applies Graph `filtering` on time_created; returns an error message for a malformed filter. */
function matchesFiltering(lead: StubLead, filtering: string | null): boolean | string {
  if (filtering === null) return true;
  let filters: unknown;
  try {
    filters = JSON.parse(filtering);
  } catch {
    return '(#100) param filtering must be an array.';
  }
  if (!Array.isArray(filters)) return '(#100) param filtering must be an array.';
  const created = Math.floor(new Date(lead.created_time).getTime() / 1000);
  for (const filter of filters as { field?: unknown; operator?: unknown; value?: unknown }[]) {
    if (filter.field !== 'time_created') return `(#100) Filtering field ${String(filter.field)} is invalid.`;
    const value = filter.value;
    if (filter.operator === 'GREATER_THAN' && typeof value === 'number') {
      if (!(created > value)) return false;
    } else if (filter.operator === 'LESS_THAN' && typeof value === 'number') {
      if (!(created < value)) return false;
    } else if (filter.operator === 'IN_RANGE' && Array.isArray(value) && value.length === 2) {
      if (!(created >= Number(value[0]) && created <= Number(value[1]))) return false;
    } else return `(#100) Filtering operator ${String(filter.operator)} is invalid for time_created.`;
  }
  return true;
}

export async function startGraphStub(options: GraphStubOptions = {}): Promise<GraphStub> {
  const version = options.version ?? 'v24.0';
  const token = options.token ?? `stub-token-${randomBytes(6).toString('hex')}`;
  const pageId = options.pageId ?? randomGraphId(15);
  const leads = new Map<string, StubLead>();
  const requests: GraphStubRequest[] = [];
  const scripted: { error: StubGraphError; match: ((request: { path: string; query: URLSearchParams }) => boolean) | undefined }[] = [];
  let tokenExpired = false;
  let hold: Promise<void> | undefined;
  let baseUrl = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stub');
    const record = (status: number, errorCode?: number) => {
      requests.push({
        at: Date.now(),
        method: request.method ?? 'GET',
        path: url.pathname.replace(`/${version}/`, ''),
        query: url.searchParams,
        status,
        ...(errorCode === undefined ? {} : { errorCode }),
      });
    };
    const fail = (error: StubGraphError) => {
      const status = error.status ?? 400;
      record(status, error.code);
      const authenticate: Record<string, string> =
        error.code === 190 ? { 'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${error.message ?? ''}"` } : {};
      sendJson(response, status, errorBody(error), { ...authenticate, ...error.headers });
    };

    if (request.method === 'POST' && url.pathname === '/__stub/leads') {
      const lead = addLead(JSON.parse(await readRequestBody(request)) as NewStubLead);
      record(201);
      sendJson(response, 201, lead);
      return;
    }
    if (request.method !== 'GET' || !url.pathname.startsWith(`/${version}/`)) {
      fail({ code: 2500, status: 400, message: 'Unknown path components: ' + url.pathname });
      return;
    }
    const path = url.pathname.slice(version.length + 2);
    const accessToken = url.searchParams.get('access_token');
    if (accessToken === null || accessToken === '') {
      fail({ code: 104, status: 400, message: 'An access token is required to request this resource.' });
      return;
    }
    if (tokenExpired) return fail(EXPIRED_TOKEN);
    if (accessToken !== token) return fail(INVALID_TOKEN);

    if (path === 'me') {
      record(200);
      sendJson(response, 200, { id: pageId, name: 'Leadline Test Page' });
      return;
    }
    const leadsMatch = /^(\d+)\/leads$/.exec(path);
    const leadMatch = /^(\d+)$/.exec(path);
    if (!leadsMatch && !leadMatch) {
      fail({
        code: 100,
        status: 400,
        type: 'GraphMethodException',
        subcode: 33,
        message: `Unsupported get request. Object with ID '${path}' does not exist.`,
      });
      return;
    }
    if (leadMatch && hold) await hold;
    const index = scripted.findIndex((entry) => !entry.match || entry.match({ path, query: url.searchParams }));
    if (index >= 0) {
      const [entry] = scripted.splice(index, 1);
      if (entry) return fail(entry.error);
    }

    if (leadMatch) {
      const id = leadMatch[1] as string;
      let lead = leads.get(id);
      if (!lead && options.autoCreateLeads) lead = addLead({ ...testLead(id, randomGraphId(15)) });
      if (!lead) {
        fail({
          code: 100,
          subcode: 33,
          type: 'GraphMethodException',
          message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        });
        return;
      }
      record(200);
      sendJson(response, 200, pickFields(lead, url.searchParams.get('fields')));
      return;
    }

    const formId = leadsMatch?.[1] as string;
    const matching: StubLead[] = [];
    for (const lead of leads.values()) {
      if (lead.form_id !== formId) continue;
      const verdict = matchesFiltering(lead, url.searchParams.get('filtering'));
      if (typeof verdict === 'string') return fail({ code: 100, status: 400, message: verdict });
      if (verdict) matching.push(lead);
    }
    matching.sort((a, b) => b.created_time.localeCompare(a.created_time) || b.id.localeCompare(a.id));
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 25) || 25, 1), 100);
    const afterCursor = url.searchParams.get('after');
    const offset = afterCursor
      ? Number(
          Buffer.from(afterCursor, 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        ) || 0
      : 0;
    const page = matching.slice(offset, offset + limit);
    const cursor = (position: number) => Buffer.from(`offset:${position}`).toString('base64');
    const body: Record<string, unknown> = { data: page.map((lead) => pickFields(lead, url.searchParams.get('fields'))) };
    if (page.length > 0) {
      const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(offset + page.length) } };
      if (offset + page.length < matching.length) {
        const nextUrl = new URL(`${baseUrl}/${formId}/leads`);
        url.searchParams.forEach((value, key) => nextUrl.searchParams.set(key, value));
        nextUrl.searchParams.set('after', cursor(offset + page.length));
        paging['next'] = nextUrl.toString();
      }
      body['paging'] = paging;
    }
    record(200);
    sendJson(response, 200, body);
  };

  function addLead(input: NewStubLead): StubLead {
    const created = input.created_time === undefined ? new Date() : new Date(input.created_time);
    const lead: StubLead = {
      ...input,
      id: input.id ?? randomGraphId(),
      form_id: input.form_id,
      created_time: graphTime(created),
      field_data: input.field_data ?? [],
    };
    leads.set(lead.id, lead);
    return lead;
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/${version}`;

  return {
    url: baseUrl,
    token,
    requests,
    addLead,
    expireToken: () => {
      tokenExpired = true;
    },
    acceptToken: () => {
      tokenExpired = false;
    },
    failNext: (error, count = 1, match) => {
      for (let i = 0; i < count; i += 1) scripted.push({ error, match });
    },
    holdLeadFetches: () => {
      let release: () => void = () => {};
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
    waitFor: (predicate, timeoutMs = 10_000) => waitFor(() => predicate(requests), timeoutMs, 'Graph stub requests'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '4100' }, token: { type: 'string', default: 'stub-token' } },
  });
  const stub = await startGraphStub({ port: Number(values.port), token: values.token, autoCreateLeads: true });
  const formId = '100000000000001';
  stub.addLead({
    form_id: formId,
    created_time: new Date(Date.now() - 5 * 60_000),
    field_data: [
      { name: 'full_name', values: ['Polly Polled'] },
      { name: 'email', values: ['polly@example.com'] },
      { name: 'when_do_you_want_to_start?', values: ['this week'] },
    ],
  });
  process.stdout.write(
    [
      `Graph API stub listening on ${stub.url}`,
      '',
      'Point Leadline at it:',
      `  META_GRAPH_URL=${stub.url}`,
      `  META_ACCESS_TOKEN=${stub.token}`,
      `  META_FORM_IDS=${formId}   (holds one lead that no webhook delivered: polling recovers it)`,
      '',
      'Unknown lead ids are answered with a generated test lead, so `npm run meta:simulate` works end to end.',
      `Add a lead: curl -X POST ${stub.url.replace(/\/v[\d.]+$/, '')}/__stub/leads -d '{"form_id":"${formId}","field_data":[{"name":"email","values":["a@example.com"]}]}'`,
      '',
    ].join('\n'),
  );
  const shutdown = () => {
    void stub.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
