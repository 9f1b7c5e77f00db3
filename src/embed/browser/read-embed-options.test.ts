import { describe, expect, it } from 'vitest';
import { readEmbedOptions } from './read-embed-options.ts';

const SCRIPT = 'https://leads.example/embed.js';

describe('readEmbedOptions', () => {
  it('when the tag has no options, then it is a contact form posting next to the script, with the default texts', () => {
    expect(readEmbedOptions({}, SCRIPT)).toEqual({
      form: 'contact',
      endpoint: 'https://leads.example/api/submit-contact',
      title: 'Contact us',
      button: 'Send',
      success: 'Thank you! We will get back to you soon.',
      theme: 'light',
      consent: undefined,
      consentRequired: false,
      propertyId: undefined,
      propertyTitle: undefined,
      greeting: 'Hi! How can we help you today?',
      country: undefined,
    });
  });

  it('when Leadline sits under a path, then the routes are resolved beside the script', () => {
    const options = readEmbedOptions({ form: 'chat' }, 'https://example.com/leadline/embed.js?v=2');
    expect(typeof options !== 'string' && options.endpoint).toBe('https://example.com/leadline/api/chatbot/leads');
  });

  it('when the tag sets options, then they are read, an empty title hides the heading and a bad country is ignored', () => {
    const options = readEmbedOptions(
      {
        form: 'Inquiry',
        propertyId: ' loft-12 ',
        propertyTitle: 'Loft',
        title: '',
        button: 'Ask',
        success: 'Done',
        theme: 'AUTO',
        country: 'gb',
        consent: 'Only on contact forms',
      },
      SCRIPT,
    );
    expect(options).toMatchObject({
      form: 'inquiry',
      endpoint: 'https://leads.example/api/property-inquiry',
      propertyId: 'loft-12',
      title: '',
      button: 'Ask',
      theme: 'auto',
      country: 'GB',
      consent: undefined,
    });
    expect(readEmbedOptions({ country: 'Britain' }, SCRIPT)).toMatchObject({ country: undefined });
    expect(readEmbedOptions({ consent: 'I agree', consentRequired: '' }, SCRIPT)).toMatchObject({
      consent: 'I agree',
      consentRequired: true,
    });
  });

  it('when the tag cannot work, then the reason is returned instead of options', () => {
    expect(readEmbedOptions({ form: 'newsletter' }, SCRIPT)).toBe('data-form="newsletter" is not one of contact, inquiry, chat');
    expect(readEmbedOptions({ form: 'inquiry' }, SCRIPT)).toBe('data-form="inquiry" needs data-property-id');
  });
});
