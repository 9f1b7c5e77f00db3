import type { Queryable } from '../db/create-pool.ts';

export interface FoundLead {
  id: string;
  source: string;
  created_at: Date;
  erased_at: Date | null;
}

/**
 * The leads of one person, for `npm run erase`: by email (lower-cased), by phone (E.164, or as written when
 * capture kept it unverified in metadata) and by id, oldest first. A lead erased before has no contact
 * left, so only its id finds it.
 */
export async function findLeadsByContact(
  db: Queryable,
  person: { emails: string[]; phones: string[]; rawPhones: string[]; ids: string[] },
): Promise<FoundLead[]> {
  const { rows } = await db.query<FoundLead>(
    /* sql */ `
    SELECT id, source, created_at, erased_at FROM conversations
     WHERE email = ANY($1::text[]) OR phone = ANY($2::text[])
        OR metadata #>> '{phone_unverified,value}' = ANY($3::text[]) OR id = ANY($4::uuid[])
     ORDER BY created_at, id`,
    [person.emails, person.phones, person.rawPhones, person.ids],
  );
  return rows;
}
