import { z } from 'zod';
import { problemSchema } from './response-schemas.ts';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete' | 'options';

/** What a route answers with one status: a JSON schema, another media type, or nothing (204, 304). */
export interface ResponseEntry {
  description: string;
  /** The JSON body; named schemas go to `components.schemas` under `name`. */
  schema?: z.ZodType;
  name?: string;
  /** Another media type than application/json (`text/plain`, `text/javascript`…); its body is a string. */
  mediaType?: string;
  headers?: Record<string, string>;
}

/**
 * One route of the HTTP API as the OpenAPI document shows it. `path` is the express pattern
 * (`/api/admin/leads/:id`), so test/flows/openapi-coverage.test.ts can compare entries with the app's routes.
 */
export interface RouteEntry {
  method: HttpMethod;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it: the admin bearer key, the metrics token (when METRICS_TOKEN is set), or anyone. */
  security?: 'admin' | 'metrics' | 'public';
  pathParams?: Record<string, { description: string; schema?: z.ZodType }>;
  /** A zod object: each property becomes a query parameter. */
  query?: z.ZodType;
  headers?: Record<string, { description: string; required?: boolean }>;
  body?: { schema: z.ZodType; name?: string; required?: boolean; formToo?: boolean };
  responses: Record<number, ResponseEntry>;
  /** Statuses answered with problem+json (RFC 9457). */
  problems?: number[];
}

type JsonSchema = Record<string, unknown>;

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Invalid request: `errors[]` names each field',
  401: 'Missing or wrong credentials',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Idempotency-Key reused with another body',
  429: 'Too many requests (see Retry-After)',
  500: 'Internal error',
  502: 'A provider failed',
  503: 'Unavailable (see Retry-After)',
};

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), for requests (`input`) or answers (`output`). */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete converted['$schema'];
  return converted;
}

/** `/api/admin/leads/:id` → `/api/admin/leads/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/**
 * The OpenAPI 3.1 document of `entries`. Schemas come from the zod schemas the routes validate with (requests)
 * and from response-schemas.ts (answers); every problem status refers to one shared problem+json schema.
 */
export function buildOpenApiDocument(entries: readonly RouteEntry[], info: DocumentInfo): Record<string, unknown> {
  const components: Record<string, JsonSchema> = { Problem: jsonSchemaOf(problemSchema, 'output') };
  const named = (name: string | undefined, schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    if (!name) return jsonSchemaOf(schema, io);
    components[name] ??= jsonSchemaOf(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const entry of entries) {
    const parameters: unknown[] = [];
    for (const name of [...entry.path.matchAll(/:(\w+)/g)].map((match) => match[1]!)) {
      const param = entry.pathParams?.[name];
      parameters.push({
        name,
        in: 'path',
        required: true,
        description: param?.description ?? name,
        schema: param?.schema ? jsonSchemaOf(param.schema, 'input') : { type: 'string' },
      });
    }
    if (entry.query) {
      const query = jsonSchemaOf(entry.query, 'input');
      const required = new Set((query['required'] as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((query['properties'] as Record<string, JsonSchema> | undefined) ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: 'query',
          required: required.has(name) && rest['default'] === undefined,
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }
    for (const [name, header] of Object.entries(entry.headers ?? {})) {
      parameters.push({
        name,
        in: 'header',
        required: header.required ?? false,
        description: header.description,
        schema: { type: 'string' },
      });
    }

    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(entry.responses)) {
      const content = response.schema
        ? { 'application/json': { schema: named(response.name, response.schema, 'output') } }
        : response.mediaType
          ? { [response.mediaType]: { schema: { type: 'string' } } }
          : undefined;
      responses[status] = {
        description: response.description,
        ...(content ? { content } : {}),
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
              ),
            }
          : {}),
      };
    }
    const problems = new Set(entry.problems ?? []);
    if (entry.security === 'admin') problems.add(401);
    for (const status of [...problems].sort()) {
      responses[String(status)] = {
        description: PROBLEM_TITLES[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }

    let requestBody: unknown;
    if (entry.body) {
      const schema = named(entry.body.name, entry.body.schema, 'input');
      requestBody = {
        required: entry.body.required ?? true,
        content: {
          'application/json': { schema },
          ...(entry.body.formToo ? { 'application/x-www-form-urlencoded': { schema } } : {}),
        },
      };
    }

    const security = entry.security === 'admin' ? [{ adminKey: [] }] : entry.security === 'metrics' ? [{}, { metricsToken: [] }] : [];
    const path = openApiPath(entry.path);
    paths[path] ??= {};
    paths[path][entry.method] = {
      tags: [entry.tag],
      summary: entry.summary,
      ...(entry.description ? { description: entry.description } : {}),
      operationId: operationId(entry),
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.1',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(entries.map((entry) => entry.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        adminKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY (never accepted in the URL)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN; /metrics is open when it is not set' },
      },
    },
  };
}

/** `post /api/admin/leads/:id/respond` → `postApiAdminLeadsIdRespond`: stable, so generated clients keep their names. */
function operationId(entry: RouteEntry): string {
  const words = entry.path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return `${entry.method}${words.join('')}`;
}
