import type { Queryable } from '../db/create-pool.ts';
import { ERASED_MARKER, likePatterns } from './redact-personal-text.ts';
import { redactMatchingRows } from './redact-matching-rows.ts';

/**
 * Blanks the provider payloads (`raw_leads`) that belong to a person: the ones of their lead (same source and
 * provider id: Meta's leadgen id, a signed sender's webhook id) and any other whose body holds their email or
 * phone (a payload that failed to ingest never became a lead). The body becomes `[erased]` and the headers
 * keep only how it came in; status and times stay, so dead-letter counts do not move. The row itself stays:
 * its (source, external id) is what makes a redelivery or the Meta poller's overlap recognise the lead as
 * already stored instead of capturing the person again. Names are not searched for in bodies (too common to
 * single out one person). Returns how many payloads were blanked.
 */
export async function scrubRawPayloads(
  db: Queryable,
  person: { source?: string | undefined; externalIds?: string[] | undefined; contacts: string[]; needles: readonly string[] },
): Promise<number> {
  const contactPatterns = likePatterns(person.contacts);
  const { rows } = await db.query<{ id: string }>(
    /* sql */ `
    WITH matched AS (
      SELECT id FROM raw_leads WHERE source = $1 AND external_id = ANY($2::text[])
      UNION
      SELECT id FROM raw_leads WHERE cardinality($3::text[]) > 0 AND body ILIKE ANY($3::text[])
    )
    UPDATE raw_leads r
       SET body = $4,
           headers = jsonb_strip_nulls(jsonb_build_object('via', r.headers->>'via', 'erased', true))
      FROM matched
     WHERE r.id = matched.id AND r.body <> $4
    RETURNING r.id::text`,
    [person.source ?? null, person.externalIds ?? [], contactPatterns, ERASED_MARKER],
  );
  const ids = rows.map((row) => row.id);
  if (ids.length > 0) {
    // An error text or a provider id may quote what the payload said.
    await redactMatchingRows(
      db,
      {
        table: 'raw_leads',
        key: 'id',
        columns: [
          { name: 'error_message', type: 'text' },
          { name: 'external_id', type: 'text' },
        ],
        where: 'id = ANY($1::bigint[])',
        values: [ids],
      },
      person.needles,
    );
  }
  return ids.length;
}
