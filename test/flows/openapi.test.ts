import { randomBytes } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../src/openapi/build-openapi-document.ts';
import { ROUTE_ENTRIES } from '../../src/openapi/route-entries.ts';
import * as answers from '../../src/openapi/response-schemas.ts';
import { webhookEndpointsResponse } from '../../src/delivery/webhook-endpoint-routes.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';
import { listAppRoutes } from '../security/list-app-routes.ts';

const db = await createTestDatabase('openapi');
const app = await startTestLeadline(db.url, {
  RATE_LIMIT_PER_MINUTE: '100000',
  // Every optional route is mounted: Meta and a signed sender, so the route table is the whole surface.
  META_VERIFY_TOKEN: 'openapi-verify',
  META_APP_SECRET: 'openapi-app-secret',
  WEBHOOK_SECRETS: `probe=whsec_${randomBytes(24).toString('base64')}`,
  OUTBOUND_WEBHOOKS: 'crm=http://127.0.0.1:9/hook',
  OUTBOUND_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
  OUTBOUND_ALLOW_PRIVATE: 'true',
});
afterAll(async () => {
  await app.stop();
  await db.drop();
});

type Document = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const served = await fetch(`${app.url}/openapi.json`);
const document = (await served.json()) as Document;

describe('the OpenAPI document', () => {
  it('when /openapi.json is fetched, then it is OpenAPI 3.1 that swagger-parser validates, every $ref resolving', async () => {
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^application\/json/);
    expect(document.openapi).toMatch(/^3\.1\./);
    // validate() mutates what it is given (dereferences): give it a copy.
    const validated = (await SwaggerParser.validate(structuredClone(document) as never)) as unknown as Document;
    expect(Object.keys(validated.paths).length).toBeGreaterThan(30);
  });

  it('when a route exists in the running app, then the document has an entry for its path and method, and no entry names a route that does not exist', () => {
    const routes = listAppRoutes(app.app!);
    const inApp = new Set(routes.map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path)}`));
    const inDocument = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`)),
    );
    expect(routes.filter((route) => route.method === 'ALL' || route.path.startsWith('regexp:'))).toEqual([]);
    expect([...inApp].filter((route) => !inDocument.has(route)).sort(), 'routes without a document entry').toEqual([]);
    expect([...inDocument].filter((route) => !inApp.has(route)).sort(), 'document entries without a route').toEqual([]);
  });

  it('when a capture body is read, then it is the zod schema the route validates with: strict, required fields, enums, free-form metadata', () => {
    const schemas = (document as unknown as { components: { schemas: Record<string, any> } }).components.schemas;
    const direct = schemas['DirectLead'];
    expect(direct.additionalProperties).toBe(false);
    expect(direct.required).toEqual(['name']);
    expect(direct.properties.urgency.enum).toEqual(['emergency', 'high', 'medium', 'low']);
    expect(direct.properties.metadata).toMatchObject({ type: 'object', additionalProperties: true });
    expect(schemas['ChatbotLead'].properties.messages.minItems).toBe(1);
    expect(schemas['Problem'].properties.errors.items.required).toEqual(['path', 'message']);
    const capture = document.paths['/api/leads']!['post'] as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(capture.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });

  it('when admin operations are read, then each needs the bearer key and documents 401 as problem+json', () => {
    const admin = ROUTE_ENTRIES.filter((entry) => entry.path.startsWith('/api/admin/'));
    expect(admin.length).toBeGreaterThan(15);
    for (const entry of admin) {
      const operation = document.paths[openApiPath(entry.path)]![entry.method] as { security: unknown; responses: Record<string, any> };
      expect(operation.security, `${entry.method} ${entry.path}`).toEqual([{ adminKey: [] }]);
      expect(operation.responses['401'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
  });
});

/** Parses a real answer with the schema the document shows for it; the issues name the drifted fields. */
function expectDocumented(schema: z.ZodType, body: unknown): void {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? [] : parsed.error.issues, JSON.stringify(body).slice(0, 500)).toEqual([]);
}

describe('real answers match the documented response schemas', () => {
  it('when a lead is captured, listed, opened, answered and re-statused, then each answer parses with its documented schema', async () => {
    const created = await postJson(`${app.url}/api/leads`, { name: 'Schema Sam', email: 'schema-sam@example.com', message: 'a roof leak' });
    expect(created.status).toBe(201);
    expectDocumented(answers.captureAcceptedSchema, created.body);
    const id = (created.body as { id: string }).id;

    const chat = await postJson(`${app.url}/api/chatbot/leads`, {
      email: 'chat-schema@example.com',
      messages: [{ role: 'user', content: 'hello', sent_at: '2026-03-01T10:00:00+01:00' }],
    });
    expectDocumented(answers.captureAcceptedSchema, chat.body);

    const get = async (path: string) => {
      const response = await fetch(`${app.url}${path}`, { headers: adminHeaders() });
      expect(response.status, path).toBe(200);
      return response.json();
    };
    expectDocumented(answers.leadListSchema, await get('/api/admin/leads'));
    expectDocumented(answers.leadDetailSchema, await get(`/api/admin/leads/${id}`));
    expectDocumented(answers.adminStatsSchema, await get('/api/admin/stats'));
    expectDocumented(answers.slaOverviewSchema, await get('/api/admin/sla'));
    expectDocumented(answers.taskListSchema, await get('/api/admin/tasks?status=all'));
    expectDocumented(answers.deadLettersSchema, await get('/api/admin/failed'));
    expectDocumented(answers.deliverySwitchSchema, await get('/api/admin/deliveries'));
    expectDocumented(webhookEndpointsResponse, await get('/api/admin/webhook-endpoints'));

    const responded = await postJson(`${app.url}/api/admin/leads/${id}/respond`, { note: 'called back' }, adminHeaders());
    expect(responded.status).toBe(200);
    expectDocumented(answers.respondResultSchema, responded.body);
    const patched = await fetch(`${app.url}/api/admin/leads/${id}`, {
      method: 'PATCH',
      headers: adminHeaders({ 'content-type': 'application/json' }),
      body: JSON.stringify({ status: 'qualified' }),
    });
    expectDocumented(answers.statusChangeSchema, await patched.json());
  });

  it('when health is asked and a request is invalid, then the answers parse with the liveness, readiness and problem schemas, field paths included', async () => {
    expectDocumented(answers.livenessSchema, await (await fetch(`${app.url}/health`)).json());
    expectDocumented(answers.readinessSchema, await (await fetch(`${app.url}/health/ready`)).json());
    expectDocumented(answers.namedCheckSchema, await (await fetch(`${app.url}/health/db`)).json());
    expectDocumented(answers.panelConfigSchema, await (await fetch(`${app.url}/admin/config.json`)).json());

    const invalid = await postJson(`${app.url}/api/leads`, { name: 'No Contact', urgency: 'whenever' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expectDocumented(answers.problemSchema, invalid.body);
    expect((invalid.body as { errors: { path: string }[] }).errors.map((error) => error.path)).toContain('urgency');
  });
});
