import { GraphError } from './classify-graph-error.ts';
import { fetchGraph, type GraphSettings } from './fetch-graph.ts';
import { graphLeadSchema, LEAD_FIELDS, type GraphLead } from './graph-lead.ts';

/** `GET /{leadgen_id}?fields=…`: the lead a webhook change points at. */
export async function fetchMetaLead(settings: GraphSettings, leadgenId: string): Promise<GraphLead> {
  const body = await fetchGraph(settings, encodeURIComponent(leadgenId), { fields: LEAD_FIELDS });
  const lead = graphLeadSchema.safeParse(body);
  if (!lead.success) throw new GraphError('permanent', 'the Graph API answered with something that is not a lead (no id or created_time)');
  if (lead.data.id !== leadgenId) throw new GraphError('permanent', 'the Graph API answered with a different lead id than asked for');
  return lead.data;
}
