import express, { type Request, type RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError, validationError } from '../shared/app-error.ts';
import { zodIssuesToFieldErrors } from './zod-issues-to-field-errors.ts';

const ADMIN_BODY_LIMIT = '16kb';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A JSON body is optional on admin actions; when one is sent it must be JSON. */
export const optionalJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) {
    req.body = {};
    next();
    return;
  }
  if (!req.is(['application/json', 'application/*+json'])) {
    next(new AppError('unsupported_media_type', 'send application/json'));
    return;
  }
  express.json({ limit: ADMIN_BODY_LIMIT })(req, res, next);
};

/** Validates a body or query with `schema`; a failure is a 400 naming each field (under `pathPrefix`). */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown, pathPrefix = ''): z.infer<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw validationError(
      zodIssuesToFieldErrors(parsed.error).map((e) => ({
        ...e,
        path: pathPrefix && e.path ? `${pathPrefix}.${e.path}` : e.path || pathPrefix,
      })),
    );
  }
  return parsed.data;
}

/** The `:id` of a lead route: a UUID, or a 400 saying so. */
export function leadIdParam(req: Request): string {
  const id = String(req.params['id'] ?? '');
  if (!UUID.test(id)) throw validationError([{ path: 'id', message: 'must be a lead id (a UUID)' }]);
  return id;
}

/** The `:id` of a row with a bigint key (tasks, deliveries): a positive whole number, or a 400. */
export function positiveIdParam(req: Request, what: string): string {
  const id = String(req.params['id'] ?? '');
  if (!/^[1-9]\d{0,17}$/.test(id)) throw validationError([{ path: 'id', message: `must be a ${what} id (a positive whole number)` }]);
  return id;
}

export const UUID_PATTERN = UUID;
