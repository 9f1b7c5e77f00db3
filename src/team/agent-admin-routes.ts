import express, { type Request, type Router } from 'express';
import type { Pool } from '../db/create-pool.ts';
import { optionalJsonBody, parseRequest, UUID_PATTERN } from '../http/admin-request.ts';
import type { Clock } from '../shared/clock.ts';
import { validationError } from '../shared/app-error.ts';
import { createAgentSchema, updateAgentSchema } from './agent-schemas.ts';
import { createAgent } from './create-agent.ts';
import { listAgents } from './list-agents.ts';
import { updateAgent } from './update-agent.ts';

export interface AgentAdminRouteDeps {
  db: Pool;
  clock: Clock;
}

function agentIdParam(req: Request): string {
  const id = String(req.params['id'] ?? '');
  if (!UUID_PATTERN.test(id)) throw validationError([{ path: 'id', message: 'must be an agent id (a UUID)' }]);
  return id;
}

/** The team: `GET/POST /api/admin/agents`, `PATCH /api/admin/agents/:id`. Mounted behind the admin key. */
export function agentAdminRoutes(deps: AgentAdminRouteDeps): Router {
  const router = express.Router();

  router.get('/api/admin/agents', async (_req, res) => {
    res.status(200).json({ items: await listAgents(deps.db) });
  });

  router.post('/api/admin/agents', optionalJsonBody, async (req, res) => {
    const body = parseRequest(createAgentSchema, req.body);
    res.status(201).json(await createAgent(deps.db, body, deps.clock.now()));
  });

  router.patch('/api/admin/agents/:id', optionalJsonBody, async (req, res) => {
    const id = agentIdParam(req);
    const body = parseRequest(updateAgentSchema, req.body);
    res.status(200).json(await updateAgent(deps.db, id, body, deps.clock.now()));
  });

  return router;
}
