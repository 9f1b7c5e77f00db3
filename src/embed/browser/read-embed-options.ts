/** The three forms an embed can be, and the capture route each posts to (relative to the script's URL). */
export const FORM_ROUTES = {
  contact: 'api/submit-contact',
  inquiry: 'api/property-inquiry',
  chat: 'api/chatbot/leads',
} as const;

export type FormKind = keyof typeof FORM_ROUTES;

export type Theme = 'light' | 'dark' | 'auto';

export interface EmbedOptions {
  form: FormKind;
  /** The capture route this form posts to, absolute. */
  endpoint: string;
  /** The heading; an empty `data-title` shows none. */
  title: string;
  button: string;
  success: string;
  theme: Theme;
  /** The consent checkbox's label (contact form only); no checkbox when undefined. */
  consent: string | undefined;
  consentRequired: boolean;
  propertyId: string | undefined;
  propertyTitle: string | undefined;
  /** The chat's first bot message. */
  greeting: string;
  /** Two-letter country a phone without `+` is read in (`metadata.country`). */
  country: string | undefined;
}

const TITLES: Record<FormKind, string> = { contact: 'Contact us', inquiry: 'Ask about this property', chat: 'Chat with us' };

/**
 * Reads the `data-*` attributes of the script tag. Returns a sentence for the site's developer instead of
 * options when the tag cannot work as written (the embed then renders nothing and says why in the console).
 */
export function readEmbedOptions(data: DOMStringMap, scriptUrl: string): EmbedOptions | string {
  const form = (data['form'] ?? 'contact').trim().toLowerCase();
  if (!Object.hasOwn(FORM_ROUTES, form)) return `data-form="${form}" is not one of contact, inquiry, chat`;
  const kind = form as FormKind;
  const propertyId = data['propertyId']?.trim() || undefined;
  if (kind === 'inquiry' && !propertyId) return 'data-form="inquiry" needs data-property-id';
  const theme = data['theme']?.trim().toLowerCase();
  const country = data['country']?.trim().toUpperCase();
  const consent = kind === 'contact' ? data['consent']?.trim() || undefined : undefined;
  return {
    form: kind,
    endpoint: new URL(FORM_ROUTES[kind], scriptUrl).href,
    title: data['title'] ?? TITLES[kind],
    button: data['button']?.trim() || 'Send',
    success: data['success']?.trim() || 'Thank you! We will get back to you soon.',
    theme: theme === 'dark' || theme === 'auto' ? theme : 'light',
    consent,
    consentRequired: consent !== undefined && data['consentRequired'] !== undefined && data['consentRequired'] !== 'false',
    propertyId,
    propertyTitle: data['propertyTitle']?.trim() || undefined,
    greeting: data['greeting']?.trim() || 'Hi! How can we help you today?',
    country: country && /^[A-Z]{2}$/.test(country) ? country : undefined,
  };
}
