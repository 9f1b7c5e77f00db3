import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';
import type { ConsentInput } from './consent-record.ts';

/** A lead as any source hands it to capture: already validated and normalized. */
export interface LeadDraft {
  source: string;
  externalId?: string | undefined;
  name?: string | undefined;
  email: string | null;
  phone: string | null;
  subject?: string | undefined;
  message?: string | undefined;
  messages: { role: 'user' | 'bot' | 'agent'; content: string; sentAt?: string | undefined }[];
  serviceType?: string | undefined;
  urgency?: 'emergency' | 'high' | 'medium' | 'low' | undefined;
  propertyId?: string | undefined;
  propertyTitle?: string | undefined;
  customFields?: Record<string, unknown> | undefined;
  metadata?: Record<string, unknown> | undefined;
  consent?: ConsentInput | undefined;
  /** The page a browser posted from (its Referer, without query): the consent's page when nothing else names one. */
  referrerPage?: string | undefined;
  /** The full stored key (`client:…`, `meta:<leadgen_id>`, `zapier:<webhook-id>`); absent = double-submit window. */
  idempotencyKey?: string | undefined;
  /** When the SLA clock starts, if not at capture (Meta's `created_time`). */
  slaStartAt?: Date | undefined;
}

export interface CaptureResult {
  id: string;
  quality: Quality;
  slaDeadline: Date;
  duplicate: boolean;
  /** Kept in the spool (the database was away): stored with this id as soon as it is back. */
  spooled: boolean;
}
