import type { OperatorAlert } from './pause-source.ts';

/** The one operator alert for a Meta token incident: what broke, that nothing is lost, and what to do. */
export function metaTokenAlert(reason: string): OperatorAlert {
  return {
    title: 'Meta Lead Ads paused: the Graph API refused the access token',
    detail:
      `${reason}. New Facebook and Instagram leads are still received and kept in raw_leads (status "paused"); ` +
      'none is lost. Create a new long-lived Page or system-user token with the leads_retrieval permission, set ' +
      'META_ACCESS_TOKEN and restart the workers, then run POST /api/admin/reconcile (or wait for the next poll) ' +
      'to capture the waiting leads.',
  };
}
