import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { FieldError } from '../shared/app-error.ts';

const emailSchema = z.email();

export interface NormalizedContact {
  email: string | null;
  phone: string | null;
}

/**
 * Emails are lower-cased; phones become E.164. A number without a country prefix is read in the lead's
 * `metadata.country` when that is a two-letter code, else in `defaultRegion`.
 */
export function normalizeContact(
  input: { email?: string | undefined; phone?: string | undefined; country?: unknown },
  defaultRegion: CountryCode | undefined,
): { contact: NormalizedContact; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let email: string | null = null;
  let phone: string | null = null;

  if (input.email !== undefined) {
    const lowered = input.email.toLowerCase();
    if (emailSchema.safeParse(lowered).success) email = lowered;
    else errors.push({ path: 'email', message: 'is not a valid email address' });
  }
  if (input.phone !== undefined) {
    const region =
      typeof input.country === 'string' && /^[A-Za-z]{2}$/.test(input.country)
        ? (input.country.toUpperCase() as CountryCode)
        : defaultRegion;
    const parsed = parsePhoneNumberFromString(input.phone, region);
    if (parsed?.isValid()) phone = parsed.number;
    else errors.push({ path: 'phone', message: 'is not a valid phone number; include the country code, e.g. +14155550123' });
  }
  if (input.email === undefined && input.phone === undefined) {
    errors.push({ path: 'email', message: 'give an email or a phone number (at least one is required)' });
  }
  return { contact: { email, phone }, errors };
}
