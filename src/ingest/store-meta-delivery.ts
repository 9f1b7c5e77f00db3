import { createHash } from 'node:crypto';
import { withTransaction } from '../db/create-pool.ts';
import { ensureIngestQueue } from './ensure-ingest-queue.ts';
import { META_INGEST_QUEUE, META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { insertRawLeads, type RawLeadRow } from './insert-raw-leads.ts';
import type { ParsedMetaWebhook } from './parse-meta-webhook.ts';

export interface MetaIngestJob {
  rawLeadId: string;
  /** How many times a rate limit has already postponed this payload. */
  deferrals?: number;
}

type ParsedDelivery = Extract<ParsedMetaWebhook, { ok: true }>;

/**
 * Stores each leadgen change of a verified delivery in raw_leads and queues one ingest job per change, in
 * ONE transaction: a 200 to Meta means every lead is either waiting in the queue or already failed for a
 * human to see, never neither. A delivery with a single change keeps its exact bytes (and signature); a
 * multi-change delivery is split into one-change bodies with ids as text.
 */
export async function storeMetaDelivery(
  deps: Pick<IngestDeps, 'db' | 'boss' | 'clock'>,
  delivery: { text: string; signature: string; requestId: string | undefined; parsed: ParsedDelivery },
): Promise<{ stored: number; queued: number }> {
  const { text, parsed } = delivery;
  const single = parsed.changes.length + parsed.invalid.length === 1 && parsed.ignored === 0;
  const common: Record<string, string> = {
    via: 'webhook',
    delivery_sha256: createHash('sha256').update(text).digest('hex'),
    changes_in_delivery: String(parsed.changes.length + parsed.invalid.length),
    ...(delivery.requestId ? { request_id: delivery.requestId } : {}),
  };
  const headers = single ? { ...common, 'x-hub-signature-256': delivery.signature } : common;
  const rows: RawLeadRow[] = [
    ...parsed.changes.map((change): RawLeadRow => ({
      source: META_SOURCE,
      externalId: change.leadgenId,
      body: single ? text : change.body,
      headers,
      status: 'received',
      errorMessage: null,
    })),
    ...parsed.invalid.map((item): RawLeadRow => ({
      source: META_SOURCE,
      externalId: null,
      body: single ? text : item.body,
      headers,
      status: 'failed',
      errorMessage: item.reason,
    })),
  ];
  if (rows.length === 0) return { stored: 0, queued: 0 };

  await ensureIngestQueue(deps.boss);
  const receivedAt = deps.clock.now();
  return withTransaction(deps.db, async (client) => {
    const ids = await insertRawLeads(client, rows, receivedAt);
    const queuedIds = ids.slice(0, parsed.changes.length);
    if (queuedIds.length > 0) {
      await deps.boss.insert(
        META_INGEST_QUEUE,
        queuedIds.map((rawLeadId) => ({ data: { rawLeadId } satisfies MetaIngestJob })),
        { db: { executeSql: (sql, values) => client.query(sql, values) } },
      );
    }
    return { stored: ids.length, queued: queuedIds.length };
  });
}
