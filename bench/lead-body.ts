/**
 * A realistic direct-API lead of about 1 KB: contact fields, a message, UTM metadata and a few custom
 * fields, as a landing page or a CRM integration sends it. Each call gets its own email and name, so the
 * ten-minute double-submit window never turns two requests into one lead.
 */

const MESSAGE =
  'Hello, we are renovating a three-bedroom house and need a quote for replacing the boiler and four radiators. ' +
  'The current boiler is about fifteen years old and makes a knocking noise when the heating starts. We would ' +
  'prefer a visit next week, ideally on Tuesday or Wednesday morning. Parking is available in front of the house.';

/** `tag` identifies the run (letters and digits); `serial` makes the lead unique within it. */
export function leadBody(tag: string, serial: number): string {
  const id = `${tag}x${serial}`;
  return JSON.stringify({
    name: `Bench Lead ${id}`,
    email: `lead-${id}@example.com`,
    phone: `+4420794600${String(serial % 100).padStart(2, '0')}`,
    message: MESSAGE,
    source: 'landing-page',
    service_type: 'boiler replacement',
    urgency: 'medium',
    custom_fields: { property_type: 'house', bedrooms: 3, budget: '3000-5000 GBP', preferred_contact: 'phone' },
    metadata: {
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'spring-boiler-2026',
      utm_term: 'boiler replacement near me',
      referrer: 'https://www.google.com/',
      landing_page: 'https://example.com/boiler-replacement?gclid=Cj0KCQjw',
      device: 'mobile',
      country: 'GB',
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
    },
    consent: true,
  });
}

/** The marker a lead's name carries, so a message at a stub can be traced back to the request. */
export function leadMarker(tag: string, serial: number): string {
  return `${tag}x${serial}`;
}
