import { describe, expect, it } from 'vitest';
import { placeFieldErrors } from './place-field-errors.ts';

const LABELS = new Map([
  ['name', 'Name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['message', 'Message'],
]);

describe('placeFieldErrors', () => {
  it('when the server names visible fields, then each message goes beside its field as a sentence', () => {
    const placed = placeFieldErrors(
      [
        { path: 'email', message: 'is not a valid email address' },
        { path: 'email', message: 'a second opinion' },
        { path: 'phone', message: 'is not a valid phone number (too short for its country); include the country code, e.g. +14155550123' },
        { path: 'messages.0.content', message: 'must be at most 10000 characters' },
      ],
      LABELS,
    );
    expect(Object.fromEntries(placed.beside)).toEqual({
      email: 'Email is not a valid email address.',
      phone: 'Phone is not a valid phone number (too short for its country); include the country code, e.g. +14155550123.',
      message: 'Message must be at most 10000 characters.',
    });
    expect(placed.rest).toEqual([]);
  });

  it('when an error names no visible field, then it goes to the form’s own error line', () => {
    const placed = placeFieldErrors(
      [
        { path: 'property_id', message: 'is required' },
        { path: '', message: 'the body must be a JSON object' },
        { path: 'email', message: 'give an email or a phone number (at least one is required)' },
      ],
      LABELS,
    );
    expect(placed.rest).toEqual(['property_id is required.', 'The body must be a JSON object.']);
    expect(placed.beside.get('email')).toBe('Give an email or a phone number (at least one is required)');
  });
});
