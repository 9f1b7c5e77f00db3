import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/create-pool.ts';
import { parseRequest } from '../http/admin-request.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { TeamLinkKeys } from '../leads/open-team-link-keys.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { claimLeadThroughLink } from './claim-lead-through-link.ts';
import { loadTeamLinkLead, type TeamLinkLead } from './load-team-link-lead.ts';
import { renderTeamLinkPage } from './render-team-link-page.ts';
import { respondThroughLink } from './respond-through-link.ts';

export interface TeamLinkRouteDeps {
  db: Pool;
  clock: Clock;
  links: TeamLinkKeys;
  announce?: AnnounceEvents;
}

/** The page runs no script and loads nothing; it may only post its own two forms. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const teamLinkFormBody = z.strictObject({ agent_id: z.guid('is not an agent id (a UUID)').optional() });

/** A form post (urlencoded), JSON, or nothing at all (a bare POST from a script). */
const optionalFormBody: RequestHandler = (req, res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) {
    req.body = {};
    next();
    return;
  }
  if (req.is('application/x-www-form-urlencoded'))
    return express.urlencoded({ limit: '2kb', extended: false, parameterLimit: 10 })(req, res, next);
  if (req.is(['application/json', 'application/*+json'])) return express.json({ limit: '2kb' })(req, res, next);
  next(new AppError('unsupported_media_type', 'send a form (application/x-www-form-urlencoded) or application/json'));
};

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

/**
 * The one-tap links (`/l/<token>`), public: the signed token is the credential, so there is no cookie and no
 * admin key, and a state change is only ever a POST (CSRF has nothing to ride on: a cross-site form would
 * need the token, which is the secret). Forged tokens are 404, expired ones 410. `limiter` rate-limits per
 * client address.
 */
export function teamLinkRoutes(deps: TeamLinkRouteDeps, limiter: RequestHandler): Router {
  const router = express.Router();
  router.use('/l', limiter, (_req, res, next) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });

  const open = async (req: Request) => {
    const token = String(req.params['token'] ?? '');
    const verified = await deps.links.verify(token);
    if (verified.status === 'forged') throw new AppError('not_found', 'this link is not valid');
    if (verified.status === 'expired')
      throw new AppError('gone', 'this link has expired (links last 7 days); open the lead in the admin panel');
    const lead = await loadTeamLinkLead(deps.db, verified.leadId);
    if (!lead) throw new AppError('not_found', 'this lead no longer exists');
    const linkAgent =
      verified.agentId === null
        ? null
        : (lead.agents.find((agent) => agent.id === verified.agentId) ?? { id: verified.agentId, name: 'the agent this link names' });
    return { token, lead, linkAgent, agentId: verified.agentId };
  };

  const show = async (req: Request, res: Response, status: number, notice?: string) => {
    const { token, lead, linkAgent } = await open(req);
    if (wantsJson(req)) {
      res.status(status).json(leadJson(lead, notice));
      return;
    }
    res
      .status(status)
      .type('html')
      .send(renderTeamLinkPage({ lead, token, linkAgent, ...(notice ? { notice } : {}) }));
  };

  router.get('/l/:token', async (req, res) => {
    await show(req, res, 200);
  });

  router.post('/l/:token/claim', optionalFormBody, async (req, res) => {
    const { lead, agentId: linkAgentId } = await open(req);
    const body = parseRequest(teamLinkFormBody, req.body);
    // A link that names an agent claims for that agent; a team-wide link needs the agent chosen on the page.
    const agentId = linkAgentId ?? body.agent_id;
    if (agentId === undefined)
      throw new AppError('validation_failed', 'choose the agent who takes the lead', {
        errors: [{ path: 'agent_id', message: 'is required' }],
      });
    const result = await claimLeadThroughLink(deps.db, { leadId: lead.id, agentId, now: deps.clock.now() });
    if (result.changed) deps.announce?.();
    await show(req, res, 200, result.changed ? 'Claimed: the lead is yours.' : 'The lead was already assigned so.');
  });

  router.post('/l/:token/respond', optionalFormBody, async (req, res) => {
    const { lead, agentId: linkAgentId } = await open(req);
    const body = parseRequest(teamLinkFormBody, req.body);
    const result = await respondThroughLink(deps.db, {
      leadId: lead.id,
      agentId: linkAgentId ?? body.agent_id ?? null,
      now: deps.clock.now(),
    });
    if (result.responded) deps.announce?.();
    await show(req, res, 200, result.responded ? 'Marked as answered: the SLA clock has stopped.' : 'The lead had already been answered.');
  });

  return router;
}

function leadJson(lead: TeamLinkLead, notice: string | undefined) {
  const { agents: _agents, ...rest } = lead;
  return { lead: rest, ...(notice ? { notice } : {}) };
}
