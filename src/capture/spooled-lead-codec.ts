import type { SpoolCodec } from '../spool/open-spool.ts';
import type { CapturedLeadRow } from './insert-captured-lead.ts';

type SpooledLead = Omit<CapturedLeadRow, 'createdAt' | 'slaDeadline' | 'slaWarningAt'> & {
  createdAt: string;
  slaDeadline: string;
  slaWarningAt: string;
};

/**
 * A captured lead in the spool: the whole row capture would have written (id, key, fingerprint, score, SLA
 * times, timeline text), with its dates as ISO strings. Keyed by its idempotency key, so a retry while the
 * database is away is recognised from the spool.
 */
export const spooledLeadCodec: SpoolCodec<CapturedLeadRow> = {
  encode: (lead): SpooledLead => ({
    ...lead,
    createdAt: lead.createdAt.toISOString(),
    slaDeadline: lead.slaDeadline.toISOString(),
    slaWarningAt: lead.slaWarningAt.toISOString(),
  }),
  decode: (json) => {
    const lead = json as SpooledLead;
    return {
      ...lead,
      createdAt: new Date(lead.createdAt),
      slaDeadline: new Date(lead.slaDeadline),
      slaWarningAt: new Date(lead.slaWarningAt),
    };
  },
  key: (lead) => lead.idempotencyKey,
};
