import express, { type Request, type Router } from 'express';
import type { Pool } from '../db/create-pool.ts';
import { optionalJsonBody, parseRequest, UUID_PATTERN } from '../http/admin-request.ts';
import type { Clock } from '../shared/clock.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import type { TeamLinkKeys } from '../leads/open-team-link-keys.ts';
import { validationError } from '../shared/app-error.ts';
import { createAgentSchema, updateAgentSchema } from './agent-schemas.ts';
import { createAgent } from './create-agent.ts';
import { listAgents } from './list-agents.ts';
import { updateAgent } from './update-agent.ts';

export interface AgentAdminRouteDeps {
  db: Pool;
  clock: Clock;
  /** The team-link keys, rotated by `POST /api/admin/team-link-keys/rotate`. */
  links?: TeamLinkKeys;
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

  // A new newest key signs every link from now on; links already sent keep working until they expire.
  router.post('/api/admin/team-link-keys/rotate', optionalJsonBody, async (_req, res) => {
    if (!deps.links) throw new Error('team link keys are not wired');
    const { keyId } = await deps.links.rotate();
    await recordAdminAction(deps.db, { action: 'team_link_keys.rotate', targetType: 'team_link_key', targetId: String(keyId) });
    res.status(201).json({ key_id: keyId });
  });

  return router;
}
