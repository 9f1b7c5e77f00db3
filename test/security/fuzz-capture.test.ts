import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';
import { problemDetailsViolations, sendRequest, type SentResponse } from './send-request.ts';

/*
 * Property-based fuzzing of every public write route: the four capture routes, a Standard Webhooks sender
 * and Meta's lead webhook. Short form by default (a few hundred cases); `FUZZ_RUNS=10000` runs that many
 * cases per property, `FUZZ_SEED=<n>` replays a reported failure. See docs/security.md.
 */

const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? '') || undefined;
const FUZZ_SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const runs = (shortForm: number) => FUZZ_RUNS ?? shortForm;
/** Generous per property: a case is one request and three small queries, a few milliseconds each. */
const timeoutFor = (shortForm: number) => Math.max(60_000, runs(shortForm) * 150);

const SENDER = 'fuzz';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const META_APP_SECRET = `meta-fuzz-secret-${randomBytes(12).toString('hex')}`;

/** Fields a client may never set (SPEC: "a client can never set id, status, quality, timestamps or SLA fields"). */
const SERVER_OWNED = [
  'id',
  'status',
  'quality',
  'score',
  'score_reasons',
  'created_at',
  'updated_at',
  'sla_deadline',
  'sla_response_deadline',
  'sla_warning_at',
  'sla_warned_at',
  'sla_breached',
  'sla_breached_at',
  'first_response_at',
  'request_fingerprint',
  'external_id',
  'assigned_to',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'polluted', ''];

let db: TestDatabase;
let app: Leadline & { url: string };
let home: string;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'leadline-fuzz-'));
  db = await createTestDatabase('security_fuzz');
  // ROLE=api: no relay, workers or ingest jobs, so every row written between two counts is the request's own.
  app = await startTestLeadline(db.url, {
    ROLE: 'api',
    LEADLINE_HOME: home,
    RATE_LIMIT_PER_MINUTE: '100000000',
    WEBHOOK_SECRETS: `${SENDER}=${WEBHOOK_SECRET}`,
    META_APP_SECRET,
    META_VERIFY_TOKEN: `meta-fuzz-verify-${randomBytes(6).toString('hex')}`,
  });
});

const histogram = new Map<string, Map<number, number>>();
let casesRun = 0;

afterAll(async () => {
  const lines = [...histogram.entries()].map(([label, statuses]) => {
    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    const counts = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join('  ');
    return `  ${label.padEnd(34)} ${String(total).padStart(6)}   ${counts}`;
  });
  const overall = new Map<number, number>();
  for (const statuses of histogram.values())
    for (const [status, count] of statuses) overall.set(status, (overall.get(status) ?? 0) + count);
  const overallText = [...overall.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join('  ');
  console.info(
    `fuzz: ${casesRun} cases run (FUZZ_RUNS=${FUZZ_RUNS ?? 'short form'})\n${lines.join('\n')}\n  ${'all'.padEnd(34)} ${String(casesRun).padStart(6)}   ${overallText}`,
  );
  await app?.stop();
  await db?.drop();
  if (home) await rm(home, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// Values

/** An object whose keys are own properties even when one is `__proto__` (plain assignment would set the prototype). */
function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** What node:http lets a client put in a header value: visible Latin-1 (no DEL). */
const latin1Char = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
  .map((code) => String.fromCharCode(code));
const headerText = fc.string({ unit: latin1Char, maxLength: 60 });

const nastyText = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\uDBFF\uDBFF',
  '\uFEFFbom',
  '\u202Eevil',
  '<script>alert(1)</script>',
  "'; DROP TABLE conversations; --",
  '%00',
  '\r\nX-Injected: 1',
  '<!channel> *bold* @here <https://evil.example|click>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '../../etc/passwd',
  ' ',
  '',
  'null',
  '1e999',
  'тест',
  '测试',
  '🦄',
);
const hugeText = fc.integer({ min: 10_000, max: 80_000 }).map((length) => 'x'.repeat(length));
const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 3, arbitrary: nastyText },
  { weight: 1, arbitrary: hugeText },
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324));

const metadataKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('utm_source', 'utm_campaign', 'referrer', 'device', 'country', 'page') },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS, ...SERVER_OWNED) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\uD800', 'a.b', 'a[b]') },
);

/** Free-form JSON as metadata and custom fields take it, deeper than the 5 levels the server allows. */
const { json: jsonish } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.array(fc.tuple(metadataKey, tie('json')), { maxLength: 5 }).map(ownObject),
}));
const jsonObject = fc.array(fc.tuple(metadataKey, jsonish), { maxLength: 6 }).map(ownObject);
const deepObject = fc.integer({ min: 5, max: 12 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { level: value };
  return value as Record<string, unknown>;
});
const wideObject = fc
  .integer({ min: 100, max: 150 })
  .map((width) => Object.fromEntries(Array.from({ length: width }, (_, i) => [`k${i}`, i])));
const metadata = fc.oneof({ weight: 6, arbitrary: jsonObject }, { weight: 1, arbitrary: deepObject }, { weight: 1, arbitrary: wideObject });

/** A wrong type for any field. */
const wrongValue = fc.oneof(
  text,
  number,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  jsonObject,
);

const name = fc.oneof(
  fc.constantFrom('Ada Lovelace', 'José Ñúñez', '李小龙', "O'Brien-Smith", 'Dr. X'),
  fc.string({ minLength: 1, maxLength: 80 }),
);
const email = fc.oneof(
  { weight: 4, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.constantFrom('UPPER@EXAMPLE.COM', 'a@b', 'not-an-email', 'x@example.test ', 'a@b.co\u0000', 'İ@example.com') },
);
const phone = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '+14155550123',
      '+44 20 7946 0958',
      '(415) 555-0199',
      '+49 30 901820',
      '+2904123',
      '+6834002',
      '+0000',
      '+999999999999999999',
      '0',
      '+1 415 555 0123 ext. 9',
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^\+[0-9]{4,17}$/) },
);
const isoTime = fc.oneof(
  fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-14:00',
    '2024-02-29T12:00:00.123456789Z',
    '1970-01-01T00:00:00+23:59',
    '2024-13-01T00:00:00Z',
  ),
);
const role = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('user', 'bot', 'agent') },
  { weight: 1, arbitrary: fc.constantFrom('system', 'admin', 'USER', '') },
);
const message = fc.record(
  {
    role,
    content: fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 80 }) }, { weight: 1, arbitrary: text }),
    sent_at: isoTime,
  },
  { requiredKeys: ['role', 'content'] },
);
const messages = fc.oneof(
  { weight: 8, arbitrary: fc.array(message, { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 201 }, () => ({ role: 'user', content: 'x' }))) },
);
const consent = fc.oneof(fc.boolean(), fc.constantFrom('on', 'yes', '1', 'off', 'false', 'maybe'));
const idempotencyKey = fc.oneof(fc.uuid(), fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), fc.string({ unit: 'binary-ascii', maxLength: 20 }));

interface FieldSpec {
  /** Values a real client sends, sometimes odd (unicode, edge lengths, wrong formats). */
  valid: fc.Arbitrary<unknown>;
  /** Values the route accepts, so a good share of cases get as far as storing a lead. */
  clean: fc.Arbitrary<unknown>;
  required?: boolean;
}

const cleanText = (maxLength: number) => fc.string({ minLength: 1, maxLength }).filter((value) => value.trim() !== '');
const cleanName = fc.oneof(
  fc.constantFrom('Ada Lovelace', 'José Ñúñez', '李小龙', "O'Brien-Smith"),
  fc.stringMatching(/^[A-Z][a-z]{1,12} [A-Z][a-z]{1,12}$/),
);
const cleanEmail = fc.stringMatching(/^[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?@[a-z0-9]{2,10}\.(com|org|test|co\.uk)$/);
const cleanPhone = fc.constantFrom('+14155550123', '+44 20 7946 0958', '+49 30 901820', '+33 1 42 68 53 00', '+61 2 9374 4000');
/** Metadata a site really sends, plus look-alikes of server-owned fields, which are just data inside metadata. */
const cleanMetadata = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'utm_source',
        'utm_medium',
        'referrer',
        'device',
        'country',
        'id',
        'status',
        'quality',
        'score',
        'created_at',
        'sla_response_deadline',
      ),
      fc.oneof(fc.stringMatching(/^[a-z0-9:/._-]{0,30}$/), fc.integer(), fc.uuid(), fc.constantFrom('hot', 'converted', 'GB', 'US')),
    ),
    { maxLength: 5 },
  )
  .map(ownObject);
const cleanMessages = fc.array(fc.record({ role: fc.constantFrom('user', 'bot', 'agent'), content: cleanText(200) }), {
  minLength: 1,
  maxLength: 4,
});

const contactFields: Record<string, FieldSpec> = {
  name: { valid: name, clean: cleanName },
  email: { valid: email, clean: cleanEmail, required: true },
  phone: { valid: phone, clean: cleanPhone },
  metadata: { valid: metadata, clean: cleanMetadata },
  idempotency_key: { valid: idempotencyKey, clean: fc.uuid() },
};

interface CaptureRoute {
  path: string;
  fields: Record<string, FieldSpec>;
}

const CAPTURE_ROUTES: CaptureRoute[] = [
  { path: '/api/chatbot/leads', fields: { ...contactFields, messages: { valid: messages, clean: cleanMessages, required: true } } },
  {
    path: '/api/submit-contact',
    fields: {
      ...contactFields,
      name: { valid: name, clean: cleanName, required: true },
      subject: { valid: text, clean: cleanText(100) },
      message: { valid: fc.string({ minLength: 1, maxLength: 200 }), clean: cleanText(500), required: true },
      consent: { valid: consent, clean: fc.boolean() },
    },
  },
  {
    path: '/api/property-inquiry',
    fields: {
      ...contactFields,
      property_id: { valid: fc.string({ minLength: 1, maxLength: 30 }), clean: fc.stringMatching(/^[a-z0-9-]{1,20}$/), required: true },
      property_title: { valid: text, clean: cleanText(100) },
      name: { valid: name, clean: cleanName, required: true },
      message: { valid: text, clean: cleanText(500) },
    },
  },
  { path: '/api/leads', fields: directLeadFields() },
];

function directLeadFields(): Record<string, FieldSpec> {
  return {
    ...contactFields,
    name: { valid: name, clean: cleanName, required: true },
    message: { valid: text, clean: cleanText(500) },
    source: {
      valid: fc.oneof(
        fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,39}$/),
        fc.constantFrom('Google-Ads', 'a'.repeat(41), 'bad source', '-x', 'fuzz'),
      ),
      clean: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/),
    },
    service_type: { valid: text, clean: cleanText(50) },
    urgency: {
      valid: fc.constantFrom('emergency', 'high', 'medium', 'low', 'EMERGENCY', 'urgent'),
      clean: fc.constantFrom('emergency', 'high', 'medium', 'low'),
    },
    custom_fields: { valid: metadata, clean: cleanMetadata },
    consent: { valid: consent, clean: fc.boolean() },
  };
}

/**
 * A body built from the route's own fields. Two kinds, mixed: clean bodies (required fields present, values the
 * route accepts, so leads get stored and their server-owned state can be checked) and wild ones (plausible
 * values, wrong types, missing required fields, and server-owned or prototype-polluting keys on top).
 */
function bodyFor(fields: Record<string, FieldSpec>): fc.Arbitrary<Record<string, unknown>> {
  const pick = (choose: (key: string, spec: FieldSpec) => fc.Arbitrary<[string, boolean, unknown]>) =>
    fc.tuple(...Object.entries(fields).map(([key, spec]) => choose(key, spec)));
  const presence = (spec: FieldSpec, requiredWeight: number) =>
    spec.required
      ? fc.oneof({ weight: requiredWeight, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })
      : fc.boolean();
  const clean = pick((key, spec) => fc.tuple(fc.constant(key), spec.required ? fc.constant(true) : fc.boolean(), spec.clean));
  const wild = pick((key, spec) =>
    fc.tuple(fc.constant(key), presence(spec, 8), fc.oneof({ weight: 3, arbitrary: spec.valid }, { weight: 1, arbitrary: wrongValue })),
  );
  const extras = fc.oneof(
    { weight: 2, arbitrary: fc.constant<[string, unknown][]>([]) },
    {
      weight: 3,
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...SERVER_OWNED, ...HOSTILE_KEYS, 'unknown_field'), wrongValue), {
        minLength: 1,
        maxLength: 3,
      }),
    },
  );
  const toObject = (chosen: [string, boolean, unknown][], extra: [string, unknown][]) =>
    ownObject([...chosen.filter(([, present]) => present).map(([key, , value]): [string, unknown] => [key, value]), ...extra]);
  return fc.oneof(
    { weight: 2, arbitrary: clean.map((chosen) => toObject(chosen, [])) },
    { weight: 3, arbitrary: fc.tuple(wild, extras).map(([chosen, extra]) => toObject(chosen, extra)) },
  );
}

/** `a[b][0]=c` pairs, the way an HTML form or qs writes nested values. */
function toFormBody(body: Record<string, unknown>): string {
  const pairs: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value === null || value === undefined) pairs.push([prefix, '']);
    else if (Array.isArray(value)) value.forEach((item, index) => walk(`${prefix}[${index}]`, item));
    else if (typeof value === 'object')
      for (const key of Object.keys(value)) walk(`${prefix}[${key}]`, (value as Record<string, unknown>)[key]);
    else pairs.push([prefix, String(value)]);
  };
  for (const key of Object.keys(body)) walk(key, body[key]);
  return new URLSearchParams(pairs).toString();
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json'];
const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'];
const OTHER_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded; charset=koi8-r',
  '*/*',
  'application/json, text/plain',
  'json',
];

const garbageBody = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '{',
    '[]',
    'null',
    '"x"',
    '1e999',
    'true',
    '[{"name":"x","email":"a@b.co"}]',
    '{"name":"x","email":"a@b.co","name":"y"}',
    '{"__proto__":{"polluted":1},"name":"Proto","email":"proto@example.com"}',
    '{"constructor":{"prototype":{"polluted":1}},"name":"Ctor","email":"ctor@example.com"}',
    '{"name":"Proto","email":"proto@example.com","metadata":{"__proto__":{"polluted":1}}}',
    '{"name":"x","email":"a@b.co","message":"\\ud800"}',
    '{"name":"x","email":"a@b.co","message":"\\u0000"}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
    'a[b][c][d][e][f][g][h]=1&email=a@b.co&name=x',
    'messages[0][role]=user&messages[0][content]=hi&email=a@b.co',
    'messages[999999][role]=user&email=a@b.co',
    'name=%E0%A4%A&email=a%40b.co',
    'name[]=a&name[]=b&email=a@b.co',
    'email=a%40b.co&name=x&__proto__[polluted]=1&constructor[prototype][polluted]=1',
    '&&&==&=',
    Array.from({ length: 250 }, (_, i) => `p${i}=1`).join('&'),
    `name=${'x'.repeat(70_000)}`,
  ),
);

// ---------------------------------------------------------------------------------------------------------
// One case

interface Counts {
  conversations: number;
  events: number;
  raw: number;
}

async function counts(): Promise<Counts> {
  const { rows } = await db.pool.query(/* sql */ `SELECT
    (SELECT count(*)::int FROM conversations) AS conversations,
    (SELECT count(*)::int FROM lead_events) AS events,
    (SELECT count(*)::int FROM raw_leads) AS raw`);
  return rows[0] as Counts;
}

type Kind = { route: 'capture' } | { route: 'webhook'; validSignature: boolean } | { route: 'meta'; validSignature: boolean };

interface FuzzCase {
  label: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  kind: Kind;
  /** The object the body was made from, when it was made from one (to check what an accepted lead kept). */
  source?: Record<string, unknown> | undefined;
  /** The top-level field names the body really carries (a form drops empty arrays and objects). */
  sentKeys?: string[] | undefined;
}

function describeCase(fuzzCase: FuzzCase): string {
  const body = Buffer.isBuffer(fuzzCase.body)
    ? `<${fuzzCase.body.length} bytes> ${fuzzCase.body.toString('hex').slice(0, 120)}`
    : JSON.stringify(fuzzCase.body.slice(0, 400));
  return `POST ${fuzzCase.path} headers=${JSON.stringify(fuzzCase.headers).slice(0, 400)} body=${body}${fuzzCase.body.length > 400 ? `… (${fuzzCase.body.length} chars)` : ''}`;
}

/** Every string anywhere in a value (a lead id must not be one the client sent). */
function stringsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') into.add(value.trim().toLowerCase());
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const key of Object.keys(value)) stringsIn((value as Record<string, unknown>)[key], into);
  return into;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function acceptedLeadViolations(fuzzCase: FuzzCase, response: SentResponse, window: { from: number; to: number }): Promise<string[]> {
  const violations: string[] = [];
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    return [`a ${response.status} answer is not JSON: ${response.text.slice(0, 120)}`];
  }
  const id = answer['id'];
  if (typeof id !== 'string' || !UUID.test(id)) return [`answer id ${JSON.stringify(id)} is not a UUID`];
  if (response.status === 200 && answer['duplicate'] !== true) violations.push('a 200 without duplicate: true');
  if (fuzzCase.source) {
    const owned = (fuzzCase.sentKeys ?? Object.keys(fuzzCase.source)).filter((key) => SERVER_OWNED.includes(key));
    if (owned.length > 0) violations.push(`accepted a body that sets server-owned field(s) ${owned.join(', ')}`);
    if (stringsIn(fuzzCase.source).has(id)) violations.push('the lead id is a value the client sent');
  }
  const { rows } = await db.pool.query(
    /* sql */ `SELECT status, quality, score, created_at, sla_response_deadline, first_response_at, sla_breached, sla_warned_at, sla_breached_at
               FROM conversations WHERE id = $1`,
    [id],
  );
  const row = rows[0] as
    | {
        status: string;
        quality: string;
        score: number;
        created_at: Date;
        sla_response_deadline: Date;
        first_response_at: Date | null;
        sla_breached: boolean;
        sla_warned_at: Date | null;
        sla_breached_at: Date | null;
      }
    | undefined;
  if (!row) return [...violations, `no conversation ${id} although the answer was ${response.status}`];
  if (response.status !== 201) return violations;
  if (row.status !== 'new') violations.push(`a new lead has status ${row.status}`);
  if (row.quality !== answer['quality'])
    violations.push(`stored quality ${row.quality} differs from the answer's ${String(answer['quality'])}`);
  if (!['hot', 'warm', 'cold'].includes(row.quality)) violations.push(`quality ${row.quality}`);
  if (!Number.isInteger(row.score) || row.score < 0 || row.score > 100) violations.push(`score ${row.score} is not the server's 0-100`);
  if (row.created_at.getTime() < window.from - 5_000 || row.created_at.getTime() > window.to + 5_000)
    violations.push(`created_at ${row.created_at.toISOString()} is not the time of the request`);
  if (row.sla_response_deadline.toISOString() !== answer['sla_deadline'])
    violations.push(
      `stored deadline ${row.sla_response_deadline.toISOString()} differs from the answer's ${String(answer['sla_deadline'])}`,
    );
  if (row.sla_response_deadline.getTime() <= row.created_at.getTime()) violations.push('the SLA deadline is not after created_at');
  if (row.first_response_at !== null || row.sla_breached || row.sla_warned_at !== null || row.sla_breached_at !== null)
    violations.push('a new lead already has response or SLA state');
  return violations;
}

function writesViolations(fuzzCase: FuzzCase, status: number, delta: Counts, answer: unknown): string[] {
  const expected = (wanted: Counts, why: string) =>
    delta.conversations === wanted.conversations && delta.events === wanted.events && delta.raw === wanted.raw
      ? []
      : [
          `${why}: expected +${wanted.conversations} conversations, +${wanted.events} lead_events, +${wanted.raw} raw_leads; got +${delta.conversations}, +${delta.events}, +${delta.raw}`,
        ];
  const ok = status >= 200 && status < 300;
  const { kind } = fuzzCase;
  if (kind.route === 'capture') {
    if (status === 201) return expected({ conversations: 1, events: 1, raw: 0 }, 'a new lead');
    if (status === 202) return []; // spooled: the database did not answer in time; rows arrive later
    return expected({ conversations: 0, events: 0, raw: 0 }, ok ? 'a repeat' : 'a refused capture');
  }
  if (kind.route === 'webhook') {
    if (!kind.validSignature) return expected({ conversations: 0, events: 0, raw: 0 }, 'a badly signed webhook');
    // A verified payload is always kept in raw_leads (the audit trail, replayable after a fix), refused or not.
    if (status === 201) return expected({ conversations: 1, events: 1, raw: 1 }, 'a new signed lead');
    return expected({ conversations: 0, events: 0, raw: 1 }, ok ? 'a repeated signed lead' : 'a refused signed webhook');
  }
  if (!kind.validSignature) return expected({ conversations: 0, events: 0, raw: 0 }, 'a badly signed Meta delivery');
  if (status === 200) {
    const stored = (answer as { stored?: unknown } | undefined)?.stored;
    return expected(
      { conversations: 0, events: 0, raw: typeof stored === 'number' ? stored : -1 },
      'a Meta delivery (raw_leads + its "stored")',
    );
  }
  return expected({ conversations: 0, events: 0, raw: 1 }, 'a signed but unreadable Meta delivery (kept as failed)');
}

function record(label: string, status: number): void {
  casesRun += 1;
  const statuses = histogram.get(label) ?? new Map<number, number>();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  histogram.set(label, statuses);
}

/** Sends one case and checks every property; throws with all violations (fast-check then shrinks the case). */
async function runCase(fuzzCase: FuzzCase): Promise<void> {
  const before = await counts();
  const from = Date.now();
  const response = await sendRequest(app.url, {
    method: 'POST',
    path: fuzzCase.path,
    headers: fuzzCase.headers,
    body: fuzzCase.body,
    timeoutMs: 20_000,
  });
  const to = Date.now();
  record(fuzzCase.label, response.status);
  const after = await counts();
  const delta = {
    conversations: after.conversations - before.conversations,
    events: after.events - before.events,
    raw: after.raw - before.raw,
  };

  const violations: string[] = [];
  if (response.status >= 500) violations.push(`answered ${response.status}`);
  if (response.status === 429) violations.push('rate limited: the limiter masks the result (raise RATE_LIMIT_PER_MINUTE)');
  if (response.status >= 300 && response.status < 400) violations.push(`a redirect (${response.status}) without ?redirect=`);
  if (!response.headers['x-request-id']) violations.push('no x-request-id header');
  if (response.status >= 400) violations.push(...problemDetailsViolations(response));
  let answer: unknown;
  try {
    answer = JSON.parse(response.text);
  } catch {
    answer = undefined;
  }
  violations.push(...writesViolations(fuzzCase, response.status, delta, answer));
  if (fuzzCase.kind.route === 'webhook' && !fuzzCase.kind.validSignature && response.status !== 401)
    violations.push(`a badly signed webhook answered ${response.status}, not 401`);
  if (fuzzCase.kind.route === 'meta' && !fuzzCase.kind.validSignature && response.status !== 401)
    violations.push(`a badly signed Meta delivery answered ${response.status}, not 401`);
  if (fuzzCase.kind.route === 'meta' && fuzzCase.kind.validSignature && ![200, 400].includes(response.status))
    violations.push(`a signed Meta delivery answered ${response.status}`);
  const leadRoute = fuzzCase.kind.route === 'capture' || fuzzCase.kind.route === 'webhook';
  if (leadRoute && (response.status === 200 || response.status === 201))
    violations.push(...(await acceptedLeadViolations(fuzzCase, response, { from, to })));
  if (
    Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== prototypeKeys ||
    ({} as Record<string, unknown>)['polluted'] !== undefined
  ) {
    violations.push('Object.prototype was changed (prototype pollution)');
  }
  if (violations.length > 0) {
    throw new Error(
      `${violations.join('\n')}\n  request: ${describeCase(fuzzCase)}\n  answer: ${response.status} ${response.text.slice(0, 400)}`,
    );
  }
}

/**
 * Runs the hand-picked `examples` (cases that once found a bug, tried on every run; each one on its own, so
 * one failing example does not hide the next), then the property. Fails with every failing example and the
 * property's shrunk case, its seed and path (fast-check's own report would print 80 KB strings).
 */
async function check(property: fc.Arbitrary<FuzzCase>, numRuns: number, examples: FuzzCase[] = []): Promise<void> {
  const failures: string[] = [];
  for (const example of examples) {
    try {
      await runCase(example);
    } catch (error) {
      failures.push(`hand-picked example failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const details = await fc.check(
    fc.asyncProperty(property, (fuzzCase) => runCase(fuzzCase)),
    { numRuns, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) },
  );
  if (details.failed) {
    const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    failures.push(
      `property failed after ${details.numRuns} runs (${details.numShrinks} shrinks); replay with FUZZ_SEED=${details.seed} (path ${details.counterexamplePath ?? '-'})\n${reason}`,
    );
  }
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}

// ---------------------------------------------------------------------------------------------------------
// Capture routes

/** Hand-picked bodies tried on every run: each once found a bug, or sits right on an edge. */
function captureExamples(route: string): string[] {
  const contact = '"name":"Edge Case","email":"edge@example.com"';
  const own =
    route === '/api/chatbot/leads'
      ? `${contact},"messages":[{"role":"user","content":"hi"}]`
      : route === '/api/property-inquiry'
        ? `${contact},"property_id":"p-1"`
        : route === '/api/submit-contact'
          ? `${contact},"message":"hi"`
          : contact;
  return [
    `{${own}}`,
    `{${own},"metadata":{"\\u0000":"nul key"}}`,
    `{${own},"metadata":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}`,
    `{${own},"__proto__":{"status":"converted"}}`,
    `{${own},"id":"00000000-0000-4000-8000-000000000000","status":"converted","quality":"hot"}`,
    `{${own},"metadata":{"id":"00000000-0000-4000-8000-000000000001","status":"converted","quality":"hot","sla_response_deadline":"2000-01-01T00:00:00Z"}}`,
    // libphonenumber calls this German number valid, but it has 16 digits: E.164 (and the phone CHECK) allow 15.
    `{${own.replace('"email":"edge@example.com"', '"phone":"+4910000000000000"')}}`,
    ...(route === '/api/chatbot/leads'
      ? [
          // Postgres has no year 0, and no UTC offsets beyond ±15:59.
          `{${contact},"messages":[{"role":"user","content":"hi","sent_at":"0000-01-01T00:00:00Z"}]}`,
          `{${contact},"messages":[{"role":"user","content":"hi","sent_at":"1970-01-01T00:00:00+23:59"}]}`,
          `{${contact},"messages":[{"role":"user","content":"hi","sent_at":"0001-01-01T00:00:00+14:00"}]}`,
        ]
      : []),
  ];
}

const sometimesKey = fc.option(
  idempotencyKey.filter((key) => /^[\x20-\x7e\x80-\xff]*$/.test(key)),
  { freq: 4 },
);

describe.each(CAPTURE_ROUTES)('POST $path, fuzzed', (route) => {
  const label = `capture ${route.path}`;

  it(
    'when JSON bodies are built from the route’s fields with arbitrary values, then no 5xx, every refusal is problem+json and writes nothing, and an accepted lead holds only server-set state',
    async () => {
      const cases = fc
        .record({ body: bodyFor(route.fields), type: fc.constantFrom(...JSON_TYPES), key: sometimesKey })
        .map(({ body, type, key }): FuzzCase => ({
          label: `${label} json`,
          path: route.path,
          headers: { 'content-type': type, ...(key ? { 'idempotency-key': key } : {}) },
          body: JSON.stringify(body),
          kind: { route: 'capture' },
          source: body,
        }));
      const examples = captureExamples(route.path).map((body): FuzzCase => ({
        label: `${label} json`,
        path: route.path,
        headers: { 'content-type': 'application/json' },
        body,
        kind: { route: 'capture' },
        source: JSON.parse(body) as Record<string, unknown>,
      }));
      await check(cases, runs(50), examples);
    },
    timeoutFor(50),
  );

  it(
    'when the same bodies arrive form-urlencoded, then the same properties hold',
    async () => {
      const cases = fc.record({ body: bodyFor(route.fields), type: fc.constantFrom(...FORM_TYPES) }).map(({ body, type }): FuzzCase => {
        const form = toFormBody(body);
        const sentKeys = [...new URLSearchParams(form).keys()].map((key) => key.split('[')[0]!);
        return {
          label: `${label} form`,
          path: route.path,
          headers: { 'content-type': type },
          body: form,
          kind: { route: 'capture' },
          source: body,
          sentKeys,
        };
      });
      const examples = captureExamples(route.path)
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .filter((body) => Object.keys(body).every((key) => key !== '__proto__'))
        .map((body): FuzzCase => {
          const form = toFormBody(body);
          const sentKeys = [...new URLSearchParams(form).keys()].map((key) => key.split('[')[0]!);
          return {
            label: `${label} form`,
            path: route.path,
            headers: { 'content-type': FORM_TYPES[0]! },
            body: form,
            kind: { route: 'capture' },
            source: body,
            sentKeys,
          };
        });
      await check(cases, runs(15), examples);
    },
    timeoutFor(15),
  );
});

describe('capture routes, raw garbage', () => {
  it(
    'when garbage bodies arrive with any content type or encoding, then no 5xx, every answer is problem+json, and nothing is written',
    async () => {
      const cases = fc
        .record({
          route: fc.constantFrom(...CAPTURE_ROUTES.map((route) => route.path)),
          body: garbageBody,
          type: fc.constantFrom(...JSON_TYPES, ...FORM_TYPES, ...OTHER_TYPES),
          encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'), { freq: 4 }),
        })
        .map(({ route, body, type, encoding }): FuzzCase => ({
          label: 'capture garbage',
          path: route,
          headers: { ...(type === undefined ? {} : { 'content-type': type }), ...(encoding ? { 'content-encoding': encoding } : {}) },
          body,
          kind: { route: 'capture' },
        }));
      const examples = ['gzip', 'deflate', 'br'].map((encoding): FuzzCase => ({
        label: 'capture garbage',
        path: '/api/leads',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: '{',
        kind: { route: 'capture' },
      }));
      await check(cases, runs(60), examples);
    },
    timeoutFor(60),
  );
});

// ---------------------------------------------------------------------------------------------------------
// Standard Webhooks sender

const standardWebhook = new StandardWebhook(WEBHOOK_SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A lead body as `/api/leads` takes it (the webhook body), as JSON, or garbage now and then. */
const webhookBody = fc.oneof(
  {
    weight: 5,
    arbitrary: bodyFor(directLeadFields()).map((body) => ({
      text: JSON.stringify(body),
      source: body as Record<string, unknown> | undefined,
    })),
  },
  {
    weight: 1,
    arbitrary: garbageBody.map((body) => ({ text: Buffer.isBuffer(body) ? body.toString('latin1') : body, source: undefined })),
  },
);

function webhookCase(
  text: string,
  headers: Record<string, string>,
  validSignature: boolean,
  source: Record<string, unknown> | undefined,
  type: string | undefined,
): FuzzCase {
  return {
    label: `webhook ${validSignature ? 'signed' : 'bad signature'}`,
    path: `/api/webhooks/${SENDER}`,
    headers: { ...(type === undefined ? {} : { 'content-type': type }), ...headers },
    body: text,
    kind: { route: 'webhook', validSignature },
    source,
  };
}

/** Signed now by the standardwebhooks library (the reference implementation), with a fresh webhook-id. */
function signedWebhookCase(text: string, source: Record<string, unknown> | undefined, type: string | undefined): FuzzCase {
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  const signature = standardWebhook.sign(id, timestamp, text);
  return webhookCase(
    text,
    { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature },
    true,
    source,
    type,
  );
}

const BAD_SIGNINGS = [
  'wrong-secret',
  'tampered-body',
  'stale',
  'future',
  'no-id',
  'no-timestamp',
  'no-signature',
  'garbage-signature',
  'v2-scheme',
  'hostile-id',
  'replayed-id-other-time',
  'sha1-like',
] as const;

describe(`POST /api/webhooks/${SENDER}, fuzzed`, () => {
  it(
    'when validly signed bodies (signed by the standardwebhooks library) carry arbitrary leads, then no 5xx, refusals are problem+json and keep only the raw payload as failed, and accepted leads hold only server-set state',
    async () => {
      const cases = fc
        .record({ body: webhookBody, type: fc.constantFrom('application/json', undefined, 'text/plain') })
        .map(({ body, type }) => signedWebhookCase(body.text, body.source, type));
      const examples = captureExamples('/api/leads').map((text) =>
        signedWebhookCase(text, JSON.parse(text) as Record<string, unknown>, 'application/json'),
      );
      await check(cases, runs(60), examples);
    },
    timeoutFor(60),
  );

  it(
    'when signatures are wrong, stale, missing or malformed, then 401 problem+json and nothing is written',
    async () => {
      const cases = fc.record({ body: webhookBody, how: fc.constantFrom(...BAD_SIGNINGS), junk: headerText }).map(({ body, how, junk }) => {
        const id = `msg_${randomUUID()}`;
        const at = nowSeconds();
        const sign = (secret: string, signedId: string, seconds: number, payload: string) =>
          new StandardWebhook(secret).sign(signedId, new Date(seconds * 1000), payload);
        const headers: Record<string, string> = {
          'webhook-id': id,
          'webhook-timestamp': String(at),
          'webhook-signature': sign(WEBHOOK_SECRET, id, at, body.text),
        };
        switch (how) {
          case 'wrong-secret':
            headers['webhook-signature'] = sign(`whsec_${randomBytes(32).toString('base64')}`, id, at, body.text);
            break;
          case 'tampered-body':
            headers['webhook-signature'] = sign(WEBHOOK_SECRET, id, at, `${body.text} `);
            break;
          case 'stale':
            headers['webhook-timestamp'] = String(at - 600);
            headers['webhook-signature'] = sign(WEBHOOK_SECRET, id, at - 600, body.text);
            break;
          case 'future':
            headers['webhook-timestamp'] = String(at + 600);
            headers['webhook-signature'] = sign(WEBHOOK_SECRET, id, at + 600, body.text);
            break;
          case 'no-id':
            delete headers['webhook-id'];
            break;
          case 'no-timestamp':
            delete headers['webhook-timestamp'];
            break;
          case 'no-signature':
            delete headers['webhook-signature'];
            break;
          case 'garbage-signature':
            headers['webhook-signature'] = junk;
            break;
          case 'v2-scheme':
            headers['webhook-signature'] = headers['webhook-signature']!.replace(/^v1,/, 'v2,');
            break;
          case 'hostile-id': {
            const hostile = `${junk} \u00e9`;
            headers['webhook-id'] = hostile;
            headers['webhook-signature'] = `v1,${createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice(6), 'base64'))
              .update(`${hostile}.${at}.`)
              .update(body.text)
              .digest('base64')}`;
            break;
          }
          case 'replayed-id-other-time':
            headers['webhook-timestamp'] = String(at - 1);
            break;
          case 'sha1-like':
            headers['webhook-signature'] = `v1,${createHmac('sha1', Buffer.from(WEBHOOK_SECRET.slice(6), 'base64'))
              .update(`${id}.${at}.`)
              .update(body.text)
              .digest('base64')}`;
            break;
        }
        return webhookCase(body.text, headers, false, body.source, 'application/json');
      });
      await check(cases, runs(30));
    },
    timeoutFor(30),
  );

  it('when a sender signs with svix-id, svix-timestamp and svix-signature (the svix library), then the lead is accepted like one with webhook-* headers (SPEC)', async () => {
    const body = JSON.stringify({ name: 'Svix Sender', email: `svix-${randomBytes(4).toString('hex')}@example.test` });
    const id = `msg_${randomUUID()}`;
    const timestamp = new Date();
    const signature = new SvixWebhook(WEBHOOK_SECRET).sign(id, timestamp, body);
    const response = await sendRequest(app.url, {
      method: 'POST',
      path: `/api/webhooks/${SENDER}`,
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'svix-signature': signature,
      },
      body,
    });
    expect(response.status, response.text).toBe(201);
  });

  it('when a request signed by the svix library is tampered with or stale, then it is 401 and nothing is stored', async () => {
    const email = `svix-bad-${randomBytes(4).toString('hex')}@example.test`;
    const body = JSON.stringify({ name: 'Svix Forger', email });
    const svix = new SvixWebhook(WEBHOOK_SECRET);
    const send = (headers: Record<string, string>, text: string) =>
      sendRequest(app.url, {
        method: 'POST',
        path: `/api/webhooks/${SENDER}`,
        headers: { 'content-type': 'application/json', ...headers },
        body: text,
      });
    const signed = (id: string, at: Date, text: string) => ({
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': svix.sign(id, at, text),
    });
    const now = new Date();
    const tamperedBody = await send(signed(`msg_${randomUUID()}`, now, body), body.replace('Forger', 'Forged'));
    const otherId = await send({ ...signed(`msg_${randomUUID()}`, now, body), 'svix-id': `msg_${randomUUID()}` }, body);
    const staleAt = new Date(now.getTime() - 10 * 60_000);
    const stale = await send(signed(`msg_${randomUUID()}`, staleAt, body), body);
    for (const response of [tamperedBody, otherId, stale]) expect(response.status, response.text).toBe(401);
    const stored = await db.pool.query('SELECT 1 FROM conversations WHERE email = $1', [email]);
    expect(stored.rows).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Meta Lead Ads webhook

const graphIdText = fc.stringMatching(/^[1-9][0-9]{14,16}$/);
/** A JSON number beyond 2^53 (written as digits in the body, so it must survive as text). */
const BIG = 'BIGNUMBER:';
const graphId = fc.oneof(
  { weight: 4, arbitrary: graphIdText },
  { weight: 2, arbitrary: graphIdText.map((digits) => `${BIG}${digits}`) },
  { weight: 1, arbitrary: wrongValue },
);
const leadgenValue = fc
  .record(
    {
      leadgen_id: graphId,
      page_id: graphId,
      form_id: graphId,
      ad_id: graphId,
      adgroup_id: graphId,
      created_time: fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), wrongValue),
    },
    { requiredKeys: ['leadgen_id'] },
  )
  .chain((value) =>
    fc
      .array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS, ...SERVER_OWNED), wrongValue), { maxLength: 2 })
      .map((extra) => ownObject([...Object.entries(value), ...extra])),
  );
const change = fc.record(
  {
    field: fc.oneof(
      { weight: 5, arbitrary: fc.constant('leadgen') },
      { weight: 1, arbitrary: fc.constantFrom('feed', 'LEADGEN', 'leadgen ') },
      { weight: 1, arbitrary: wrongValue },
    ),
    value: fc.oneof({ weight: 5, arbitrary: leadgenValue }, { weight: 1, arbitrary: wrongValue }),
  },
  { requiredKeys: ['field'] },
);
const entry = fc.record(
  {
    id: fc.oneof(graphIdText, wrongValue),
    time: fc.oneof(fc.integer(), wrongValue),
    changes: fc.oneof({ weight: 6, arbitrary: fc.array(change, { maxLength: 4 }) }, { weight: 1, arbitrary: wrongValue }),
  },
  { requiredKeys: [] },
);
const cleanChange = fc.record({
  field: fc.constant('leadgen'),
  value: fc.record(
    {
      leadgen_id: graphId.filter((id) => typeof id === 'string'),
      page_id: graphIdText,
      form_id: graphIdText,
      created_time: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
    },
    { requiredKeys: ['leadgen_id'] },
  ),
});
const cleanEntry = fc.record({
  id: graphIdText,
  time: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
  changes: fc.array(fc.oneof({ weight: 4, arbitrary: cleanChange }, { weight: 1, arbitrary: change }), { minLength: 1, maxLength: 3 }),
});
const withBigNumbers = (body: unknown) => JSON.stringify(body).replace(new RegExp(`"${BIG}(\\d+)"`, 'g'), '$1');
const metaBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ object: fc.constant('page'), entry: fc.array(cleanEntry, { minLength: 1, maxLength: 2 }) }).map(withBigNumbers),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          object: fc.oneof({ weight: 5, arbitrary: fc.constant('page') }, { weight: 1, arbitrary: wrongValue }),
          entry: fc.oneof({ weight: 6, arbitrary: fc.array(entry, { maxLength: 3 }) }, { weight: 1, arbitrary: wrongValue }),
        },
        { requiredKeys: [] },
      )
      .map(withBigNumbers),
  },
  { weight: 1, arbitrary: garbageBody.map((body) => (Buffer.isBuffer(body) ? body.toString('latin1') : body)) },
);

const BAD_META_SIGNINGS = ['missing', 'sha1-only', 'wrong-secret', 'tampered', 'malformed', 'uppercase-prefix', 'empty'] as const;

describe('POST /api/webhooks/meta, fuzzed', () => {
  it(
    'when validly signed deliveries carry arbitrary Meta-shaped or garbage bodies, then no 5xx, 200 stores exactly the reported raw payloads and no lead yet, and a refusal is problem+json that keeps the payload as failed',
    async () => {
      const cases = metaBody.map((text): FuzzCase => ({
        label: 'meta signed',
        path: '/api/webhooks/meta',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaDelivery(text, META_APP_SECRET) },
        body: text,
        kind: { route: 'meta', validSignature: true },
      }));
      await check(cases, runs(40));
    },
    timeoutFor(40),
  );

  it(
    'when deliveries are unsigned or badly signed, then 401 problem+json and nothing is stored',
    async () => {
      const cases = fc
        .record({ text: metaBody, how: fc.constantFrom(...BAD_META_SIGNINGS), junk: headerText })
        .map(({ text, how, junk }): FuzzCase => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const good = signMetaDelivery(text, META_APP_SECRET);
          if (how === 'sha1-only') headers['x-hub-signature'] = `sha1=${createHmac('sha1', META_APP_SECRET).update(text).digest('hex')}`;
          if (how === 'wrong-secret') headers['x-hub-signature-256'] = signMetaDelivery(text, `${META_APP_SECRET}x`);
          if (how === 'tampered') headers['x-hub-signature-256'] = signMetaDelivery(`${text} `, META_APP_SECRET);
          if (how === 'malformed') headers['x-hub-signature-256'] = junk;
          if (how === 'uppercase-prefix')
            headers['x-hub-signature-256'] = good.replace('sha256=', 'SHA256=').replace(/.$/, (last) => (last === '0' ? '1' : '0'));
          if (how === 'empty') headers['x-hub-signature-256'] = '';
          return {
            label: 'meta bad signature',
            path: '/api/webhooks/meta',
            headers,
            body: text,
            kind: { route: 'meta', validSignature: false },
          };
        });
      await check(cases, runs(25));
    },
    timeoutFor(25),
  );
});
