import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import { TEST_ADMIN_KEY, startTestLeadline } from '../helpers/start-test-leadline.ts';
import { startGraphStub } from '../stubs/start-graph-stub.ts';
import { listAppRoutes, type AppRoute } from './list-app-routes.ts';
import { problemDetailsViolations, sendRequest, type SentResponse } from './send-request.ts';

/*
 * The admin surface is discovered from the running app's router stack, not from a list kept here: a route
 * added under /api/admin tomorrow is in this matrix without anyone touching this file.
 */

const KEY = TEST_ADMIN_KEY;
const METRICS_TOKEN = `metrics-token-${randomBytes(12).toString('hex')}`;
const META_VERIFY_TOKEN = `meta-verify-${randomBytes(12).toString('hex')}`;
const META_APP_SECRET = `meta-app-secret-${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const LEAD = { name: 'Auth Matrix Person', email: `auth-matrix-${randomBytes(4).toString('hex')}@example.test` };

const home = await mkdtemp(path.join(os.tmpdir(), 'leadline-admin-auth-'));
const graph = await startGraphStub();
const db = await createTestDatabase('security_admin_auth');
const app = await startTestLeadline(db.url, {
  LEADLINE_HOME: home,
  RATE_LIMIT_PER_MINUTE: '1000000',
  METRICS_TOKEN,
  META_VERIFY_TOKEN,
  META_APP_SECRET,
  META_ACCESS_TOKEN: graph.token,
  META_GRAPH_URL: graph.url,
  WEBHOOK_SECRETS: `probe=${WEBHOOK_SECRET}`,
});
afterAll(async () => {
  await app.stop();
  await graph.close();
  await db.drop();
  await rm(home, { recursive: true, force: true });
});

if (!app.app) throw new Error('startTestLeadline returned no express app (Leadline.app); the route table cannot be read');
const ROUTES = listAppRoutes(app.app);
const isAdminPath = (route: AppRoute) => route.path === '/api/admin' || route.path.startsWith('/api/admin/');
const ADMIN_ROUTES = ROUTES.filter(isAdminPath);

const created = await sendRequest(app.url, {
  method: 'POST',
  path: '/api/leads',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(LEAD),
});
if (created.status !== 201) throw new Error(`could not create the lead the matrix uses: ${created.status} ${created.text}`);
const LEAD_ID = (JSON.parse(created.text) as { id: string }).id;

/** A value a client would really send for `:name` after the `segment` it follows (`/leads/:id` → a lead id). */
function plausibleParam(segment: string, name: string): string {
  if (segment === 'leads') return LEAD_ID;
  if (segment === 'tasks') return '1';
  if (segment === 'failed') return 'delivery-1';
  return name === 'id' || name.endsWith('_id') || name.endsWith('Id') ? randomUUID() : 'probe';
}

/** `/api/admin/leads/:id` → `/api/admin/leads/<uuid>`; optional groups `{…}` are kept, wildcards filled. */
function concretePath(pattern: string): string {
  const flat = pattern.replace(/[{}]/g, '');
  return flat.replace(/([:*])(\w+)/g, (_match, _sigil: string, name: string, offset: number) => {
    const segment = flat.slice(0, offset).split('/').filter(Boolean).at(-1) ?? '';
    return plausibleParam(segment, name);
  });
}

const methodsOf = (route: AppRoute) =>
  route.method === 'ALL' ? ['GET', 'POST'] : route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
const hasBody = (method: string) => !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
const withQuery = (target: string, query: string) => `${target}${target.includes('?') ? '&' : '?'}${query}`;

function request(method: string, target: string, headers: Record<string, string> = {}): Promise<SentResponse> {
  return sendRequest(app.url, {
    method,
    path: target,
    headers: hasBody(method) ? { 'content-type': 'application/json', ...headers } : headers,
    ...(hasBody(method) ? { body: '{}' } : {}),
  });
}

/** Every way of not presenting the key in the Authorization header, or of presenting it in the URL. */
const REFUSED_VARIANTS: { label: string; headers: Record<string, string>; query?: string }[] = [
  { label: 'no Authorization header', headers: {} },
  { label: 'a wrong bearer key', headers: { authorization: `Bearer wrong-${randomBytes(12).toString('hex')}` } },
  { label: 'the key with one character more', headers: { authorization: `Bearer ${KEY}x` } },
  { label: 'the key minus its last character', headers: { authorization: `Bearer ${KEY.slice(0, -1)}` } },
  { label: 'an empty bearer', headers: { authorization: 'Bearer ' } },
  { label: 'the key without a scheme', headers: { authorization: KEY } },
  { label: 'the key as Basic credentials', headers: { authorization: `Basic ${Buffer.from(`admin:${KEY}`).toString('base64')}` } },
  { label: 'the key in X-API-Key', headers: { 'x-api-key': KEY } },
  { label: 'the key in a cookie', headers: { cookie: `admin_key=${KEY}; key=${KEY}` } },
  { label: '?key=<the key> without a header', headers: {}, query: `key=${encodeURIComponent(KEY)}` },
  { label: '?key=<the key> with the valid header', headers: { authorization: `Bearer ${KEY}` }, query: `key=${encodeURIComponent(KEY)}` },
  { label: 'an empty ?key= with the valid header', headers: { authorization: `Bearer ${KEY}` }, query: 'key=' },
  { label: '?access_token=<the key> without a header', headers: {}, query: `access_token=${encodeURIComponent(KEY)}` },
  { label: '?api_key=<the key> without a header', headers: {}, query: `api_key=${encodeURIComponent(KEY)}` },
];

/** What a 401 must be: problem+json, and nothing in it that repeats the key or what was presented. */
function unauthorizedViolations(response: SentResponse, method: string, presented: string[]): string[] {
  const violations: string[] = [];
  if (response.status !== 401) return [`answered ${response.status}, not 401: ${response.text.slice(0, 160)}`];
  violations.push(...problemDetailsViolations(response, { hasBody: method !== 'HEAD' }));
  const everything = `${response.text}\n${Object.entries(response.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')}`;
  for (const secret of new Set([KEY, ...presented.filter((value) => value.length >= 8)])) {
    if (everything.includes(secret)) violations.push(`the answer repeats a presented credential (${secret.slice(0, 12)}…)`);
  }
  if (everything.includes(LEAD.email) || everything.includes(LEAD_ID)) violations.push('the answer carries data of the lead');
  return violations;
}

describe('the admin route table', () => {
  it('when the running app is inspected, then it serves the admin routes SPEC.md names first, all under /api/admin', () => {
    const served = new Set(ADMIN_ROUTES.map((route) => `${route.method} ${route.path}`));
    console.info(`admin auth matrix: ${ADMIN_ROUTES.length} admin routes discovered:\n  ${[...served].join('\n  ')}`);
    // A sanity floor for the walk itself: if it silently found nothing, every test below would pass vacuously.
    for (const route of ['GET /api/admin/leads', 'GET /api/admin/leads/:id', 'GET /api/admin/stats', 'POST /api/admin/pause']) {
      expect(served).toContain(route);
    }
  });
});

describe.each(ADMIN_ROUTES)('$method $path', (route) => {
  const target = concretePath(route.path);

  it('when the bearer key is missing, wrong, or put in the URL, then every answer is 401 problem+json that never repeats the key', async () => {
    const violations: string[] = [];
    for (const method of methodsOf(route)) {
      for (const variant of REFUSED_VARIANTS) {
        const url = variant.query ? withQuery(target, variant.query) : target;
        const response = await request(method, url, variant.headers);
        const presented = Object.values(variant.headers).map((value) => value.replace(/^(Bearer|Basic)\s+/i, ''));
        for (const violation of unauthorizedViolations(response, method, presented))
          violations.push(`${method} ${url} with ${variant.label}: ${violation}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('when the valid key is sent as Authorization: Bearer, then the route answers without 401', async () => {
    // HEAD is covered by the refusals above; an authorised HEAD of the event stream would wait for its first heartbeat.
    for (const method of methodsOf(route).filter((m) => m !== 'HEAD')) {
      for (const authorization of [`Bearer ${KEY}`, `bearer ${KEY}`]) {
        const response = await request(method, target, { authorization });
        expect
          .soft(response.status, `${method} ${target} with "${authorization.split(' ')[0]} <key>": ${response.text.slice(0, 200)}`)
          .not.toBe(401);
        expect.soft(response.status, `${method} ${target}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
        expect.soft(`${response.text}${JSON.stringify(response.headers)}`).not.toContain(KEY);
      }
    }
  });
});

describe('paths around /api/admin', () => {
  const unknown = '/api/admin/no-such-route-' + randomBytes(3).toString('hex');

  it('when a path under /api/admin that no route serves is asked for without the key, then 401 (the guard does not reveal which routes exist); with the key, 404', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const refused = await request(method, unknown);
      expect(unauthorizedViolations(refused, method, []), `${method} ${unknown}`).toEqual([]);
      const authorized = await request(method, unknown, { authorization: `Bearer ${KEY}` });
      expect(authorized.status, `${method} ${unknown} with the key`).toBe(404);
    }
  });

  it('when a client spells an admin path differently (case, slashes, percent-encoding, dot segments, suffixes) without the key, then nothing answers 2xx or 3xx', async () => {
    const variants = (target: string) => {
      const rest = target.slice('/api/admin'.length);
      return [
        target.toUpperCase(),
        `/Api/Admin${rest}`,
        `${target}/`,
        `/api/admin/${rest}`,
        `//api/admin${rest}`,
        `/api//admin${rest}`,
        `/api/%61dmin${rest}`,
        `/api/admin${rest.replace(/^\/(.)/, (_m, first: string) => `/%${first.charCodeAt(0).toString(16)}`)}`,
        `/api/./admin${rest}`,
        `/health/../api/admin${rest}`,
        `/admin/..%2fapi/admin${rest}`,
        `${target};key=${encodeURIComponent(KEY)}`,
        `${target}.json`,
        `${target}%00`,
        `${target}#fragment`,
      ];
    };
    const problems: string[] = [];
    for (const route of ADMIN_ROUTES) {
      for (const method of methodsOf(route).filter((m) => m !== 'HEAD')) {
        for (const target of variants(concretePath(route.path))) {
          const response = await request(method, target);
          if (response.status < 400)
            problems.push(`${method} ${target} answered ${response.status} without the key: ${response.text.slice(0, 120)}`);
          if (response.text.includes(LEAD.email)) problems.push(`${method} ${target} answered with the lead's data`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('routes that stay public', () => {
  const standardWebhook = new Webhook(WEBHOOK_SECRET);
  const wrongBearer = { authorization: `Bearer not-the-key-${randomBytes(6).toString('hex')}` };
  const servedPaths = new Set(ROUTES.map((route) => `${route.method} ${route.path}`));

  const unique = () => randomBytes(4).toString('hex');
  const publicRequests: {
    label: string;
    route: string;
    send: (headers: Record<string, string>) => Promise<SentResponse>;
    expect: number[];
  }[] = [
    ...(
      [
        [
          '/api/chatbot/leads',
          () => ({ name: 'Public Chat', email: `chat-${unique()}@example.test`, messages: [{ role: 'user', content: 'Hello' }] }),
        ],
        ['/api/submit-contact', () => ({ name: 'Public Contact', email: `contact-${unique()}@example.test`, message: 'Call me' })],
        ['/api/property-inquiry', () => ({ property_id: 'p-1', name: 'Public Inquiry', email: `inquiry-${unique()}@example.test` })],
        ['/api/leads', () => ({ name: 'Public Lead', email: `lead-${unique()}@example.test` })],
      ] as const
    ).map(([route, body]) => ({
      label: `POST ${route}`,
      route: `POST ${route}`,
      send: (headers: Record<string, string>) =>
        sendRequest(app.url, {
          method: 'POST',
          path: route,
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body()),
        }),
      expect: [201],
    })),
    {
      label: 'POST /api/leads as a form',
      route: 'POST /api/leads',
      send: (headers) =>
        sendRequest(app.url, {
          method: 'POST',
          path: '/api/leads',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ name: 'Form Lead', email: `form-${unique()}@example.test` }).toString(),
        }),
      expect: [201],
    },
    {
      label: 'POST /api/webhooks/probe, signed',
      route: 'POST /api/webhooks/:source',
      send: (headers) => {
        const id = `msg_${unique()}`;
        const body = JSON.stringify({ name: 'Signed Sender', email: `signed-${unique()}@example.test` });
        const signature = standardWebhook.sign(id, new Date(), body);
        return sendRequest(app.url, {
          method: 'POST',
          path: '/api/webhooks/probe',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': signature,
            ...headers,
          },
          body,
        });
      },
      expect: [201],
    },
    {
      label: 'POST /api/webhooks/meta, signed',
      route: 'POST /api/webhooks/meta',
      send: (headers) => {
        const body = JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, changes: [{ field: 'feed', value: {} }] }] });
        return sendRequest(app.url, {
          method: 'POST',
          path: '/api/webhooks/meta',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaDelivery(body, META_APP_SECRET), ...headers },
          body,
        });
      },
      expect: [200],
    },
    {
      label: "GET /api/webhooks/meta, Meta's subscription check",
      route: 'GET /api/webhooks/meta',
      send: (headers) =>
        sendRequest(app.url, {
          path: `/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1158201444`,
          headers,
        }),
      expect: [200],
    },
    { label: 'GET /health', route: 'GET /health', send: (headers) => sendRequest(app.url, { path: '/health', headers }), expect: [200] },
    {
      label: 'GET /health/ready',
      route: 'GET /health/:check',
      send: (headers) => sendRequest(app.url, { path: '/health/ready', headers }),
      expect: [200],
    },
    { label: 'GET /admin', route: 'GET /admin', send: (headers) => sendRequest(app.url, { path: '/admin', headers }), expect: [200] },
    {
      label: 'GET /admin/app.js',
      route: 'GET /admin/app.js',
      send: (headers) => sendRequest(app.url, { path: '/admin/app.js', headers }),
      expect: [200],
    },
    {
      label: 'GET /admin/admin.css',
      route: 'GET /admin/admin.css',
      send: (headers) => sendRequest(app.url, { path: '/admin/admin.css', headers }),
      expect: [200],
    },
    {
      // The website embed: public by design, every visitor of a site that carries the snippet loads it.
      label: 'GET /embed.js',
      route: 'GET /embed.js',
      send: (headers) => sendRequest(app.url, { path: '/embed.js', headers }),
      expect: [200],
    },
    {
      label: 'GET /admin/config.json',
      route: 'GET /admin/config.json',
      send: (headers) => sendRequest(app.url, { path: '/admin/config.json', headers }),
      expect: [200],
    },
  ];

  it.each(publicRequests)(
    'when $label is requested without the admin key, or with a wrong bearer, then it is served',
    async (publicRequest) => {
      // /health/ready is served by /health/ready itself or by /health/:check; either is in the table.
      const listed =
        publicRequest.route === 'GET /health/:check'
          ? servedPaths.has('GET /health/ready') || servedPaths.has('GET /health/:check')
          : servedPaths.has(publicRequest.route);
      expect(listed, `${publicRequest.route} is not in the app's route table`).toBe(true);
      for (const headers of [{}, wrongBearer]) {
        const response = await publicRequest.send(headers);
        expect(
          publicRequest.expect,
          `${publicRequest.label} with ${Object.keys(headers).length ? 'a wrong bearer' : 'no key'}: ${response.status} ${response.text.slice(0, 200)}`,
        ).toContain(response.status);
      }
    },
  );
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  it('when scraped without a token, then 401 problem+json', async () => {
    const response = await sendRequest(app.url, { path: '/metrics' });
    expect(unauthorizedViolations(response, 'GET', [METRICS_TOKEN])).toEqual([]);
  });

  it('when scraped with a wrong bearer token (or the token in the URL), then 401 problem+json that does not repeat the token', async () => {
    for (const [target, headers] of [
      ['/metrics', { authorization: `Bearer not-the-metrics-token-${randomBytes(4).toString('hex')}` }],
      ['/metrics', { authorization: `Bearer ${METRICS_TOKEN}x` }],
      [`/metrics?token=${METRICS_TOKEN}`, {}],
    ] as const) {
      const response = await sendRequest(app.url, { path: target, headers });
      expect(
        unauthorizedViolations(response, 'GET', [METRICS_TOKEN, ...Object.values(headers)]),
        `${target} ${JSON.stringify(headers)}`,
      ).toEqual([]);
    }
  });

  it('when scraped with Authorization: Bearer <METRICS_TOKEN>, then 200 Prometheus text', async () => {
    const response = await sendRequest(app.url, { path: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toMatch(/^leadline_database_up 1$/m);
  });
});

describe("GET /api/webhooks/meta (Meta's subscription check)", () => {
  const check = (query: Record<string, string>) =>
    sendRequest(app.url, { path: `/api/webhooks/meta?${new URLSearchParams(query).toString()}` });

  it('when hub.verify_token is wrong, then 403 problem+json (as in Meta’s reference), and the challenge is not echoed', async () => {
    const response = await check({
      'hub.mode': 'subscribe',
      'hub.verify_token': `wrong-${randomBytes(6).toString('hex')}`,
      'hub.challenge': '987654321',
    });
    expect(response.status).toBe(403);
    expect(problemDetailsViolations(response)).toEqual([]);
    expect(response.text).not.toContain('987654321');
    expect(response.text).not.toContain(META_VERIFY_TOKEN);
  });

  it('when hub.verify_token is missing, then 403 problem+json', async () => {
    const response = await check({ 'hub.mode': 'subscribe', 'hub.challenge': '987654321' });
    expect(response.status).toBe(403);
    expect(problemDetailsViolations(response)).toEqual([]);
  });

  it('when hub.verify_token is right, then 200 with exactly the challenge as text', async () => {
    const response = await check({ 'hub.mode': 'subscribe', 'hub.verify_token': META_VERIFY_TOKEN, 'hub.challenge': '1158201444' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toBe('1158201444');
  });
});
