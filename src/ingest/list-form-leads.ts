import { z } from 'zod';
import { GraphError } from './classify-graph-error.ts';
import { fetchGraph, type GraphSettings } from './fetch-graph.ts';
import { graphLeadSchema, LEAD_FIELDS, type GraphLead } from './graph-lead.ts';

const PAGE_SIZE = 100;

const leadPage = z.looseObject({
  data: z.array(z.unknown()),
  paging: z
    .looseObject({
      cursors: z.looseObject({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

export interface FormLeadPage {
  leads: GraphLead[];
  /** Items that were not leads (no id or created_time): counted, never silently dropped. */
  unreadable: number;
  /** The cursor of the next page; absent on the last page (Graph omits `paging.next` there). */
  after: string | undefined;
}

/**
 * One page of `GET /{form_id}/leads` filtered on `time_created` in [sinceSeconds, untilSeconds]. The cursor
 * is passed back as `after`; we never follow `paging.next` as given, because it carries the token and a
 * host of Meta's choosing.
 */
export async function listFormLeads(
  settings: GraphSettings,
  formId: string,
  window: { sinceSeconds: number; untilSeconds: number; after?: string | undefined },
): Promise<FormLeadPage> {
  const filtering = JSON.stringify([
    { field: 'time_created', operator: 'GREATER_THAN', value: window.sinceSeconds - 1 },
    { field: 'time_created', operator: 'LESS_THAN', value: window.untilSeconds + 1 },
  ]);
  const params: Record<string, string> = { fields: LEAD_FIELDS, filtering, limit: String(PAGE_SIZE) };
  if (window.after) params['after'] = window.after;
  const body = await fetchGraph(settings, `${encodeURIComponent(formId)}/leads`, params);
  const page = leadPage.safeParse(body);
  if (!page.success) throw new GraphError('transient', 'the Graph API answered a leads page without a data array');

  const leads: GraphLead[] = [];
  let unreadable = 0;
  for (const item of page.data.data) {
    const lead = graphLeadSchema.safeParse(item);
    if (lead.success) leads.push(lead.data);
    else unreadable += 1;
  }
  const after = page.data.paging?.next ? page.data.paging.cursors?.after : undefined;
  return { leads, unreadable, after };
}
