import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { FieldError } from '../shared/app-error.ts';

const emailSchema = z.email();

/** E.164 allows at most 15 digits after the `+` (and the table's check says the same). */
const E164 = /^\+[1-9]\d{6,14}$/;

export interface NormalizedContact {
  email: string | null;
  phone: string | null;
}

/** A phone that could not be validated, kept as written beside a lead that has an email to answer. */
export interface UnverifiedPhone {
  value: string;
  reason: string;
}

const LENGTH_REASONS: Record<string, string> = {
  TOO_SHORT: 'too short for its country',
  TOO_LONG: 'too long for its country',
  INVALID_LENGTH: 'not a length any number of its country has',
  INVALID_COUNTRY: 'no country code and no default country to read it in',
  NOT_A_NUMBER: 'not a phone number',
};

/**
 * Emails are lower-cased; phones become E.164, validated against the full numbering plan metadata
 * (libphonenumber-js/max: real ranges per country, not just lengths). A number without a country prefix is
 * read in the lead's `metadata.country` when that is a two-letter code, else in `defaultRegion`.
 *
 * A doubtful phone never costs a lead that can be answered otherwise: with a valid email, the lead is kept
 * and the phone is returned as `unverifiedPhone` (capture stores it in the lead's metadata with the reason).
 * Without an email, it is a 400 naming `phone`.
 */
export function normalizeContact(
  input: { email?: string | undefined; phone?: string | undefined; country?: unknown },
  defaultRegion: CountryCode | undefined,
): { contact: NormalizedContact; errors: FieldError[]; unverifiedPhone?: UnverifiedPhone } {
  const errors: FieldError[] = [];
  let email: string | null = null;
  let phone: string | null = null;
  let phoneProblem: string | undefined;

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
    if (parsed?.isValid() && E164.test(parsed.number)) phone = parsed.number;
    else {
      const lengthProblem = validatePhoneNumberLength(input.phone, region);
      phoneProblem = (lengthProblem && LENGTH_REASONS[lengthProblem]) ?? 'not a valid number in its country';
    }
  }
  if (input.email === undefined && input.phone === undefined) {
    errors.push({ path: 'email', message: 'give an email or a phone number (at least one is required)' });
  }
  if (phoneProblem !== undefined && input.phone !== undefined) {
    if (email !== null) return { contact: { email, phone: null }, errors, unverifiedPhone: { value: input.phone, reason: phoneProblem } };
    errors.push({ path: 'phone', message: `is not a valid phone number (${phoneProblem}); include the country code, e.g. +14155550123` });
  }
  return { contact: { email, phone }, errors };
}

/** The lead's metadata with an unverified phone recorded, so a human can still try it. */
export function withUnverifiedPhone(
  metadata: Record<string, unknown> | undefined,
  unverified: UnverifiedPhone | undefined,
): Record<string, unknown> | undefined {
  if (!unverified) return metadata;
  return { ...metadata, phone_unverified: { value: unverified.value, reason: unverified.reason } };
}
