import { describe, expect, it } from 'vitest';
import { createScoringSettings, DEFAULT_SCORING, scoreLead, type ScoringInput, type ScoringSettings } from './score-lead.ts';

const german = createScoringSettings({ extraUrgentWords: ['dringend', 'sofort', ' eilig ', ''] });

const lead = (overrides: Partial<ScoringInput>): ScoringInput => ({
  source: 'api',
  text: '',
  hasEmail: true,
  hasPhone: false,
  ...overrides,
});

const table: {
  name: string;
  input: ScoringInput;
  settings?: ScoringSettings;
  quality: 'hot' | 'warm' | 'cold';
  score: number;
  reasons: string[];
}[] = [
  {
    name: 'an emergency with an urgent word is hot, capped at 100',
    input: lead({ urgency: 'emergency', hasEmail: false, hasPhone: true, text: 'Burst pipe in the kitchen' }),
    quality: 'hot',
    score: 100,
    reasons: ['urgency', 'urgent_words', 'contact', 'message'],
  },
  { name: 'high urgency alone is hot', input: lead({ urgency: 'high' }), quality: 'hot', score: 40, reasons: ['urgency', 'contact'] },
  {
    name: 'medium urgency with a real message is warm',
    input: lead({ urgency: 'medium', hasPhone: true, text: 'Please send me a quote for the roof' }),
    quality: 'warm',
    score: 40,
    reasons: ['urgency', 'contact', 'message'],
  },
  {
    name: 'low urgency adds nothing and a bare "hi" is cold',
    input: lead({ urgency: 'low', text: 'hi' }),
    quality: 'cold',
    score: 10,
    reasons: ['contact', 'message'],
  },
  {
    name: 'a contact form with a real question is warm',
    input: lead({ source: 'contact-form', text: 'Please call me back about pricing' }),
    quality: 'warm',
    score: 20,
    reasons: ['contact', 'message'],
  },
  {
    name: 'a contact form that only says hello is cold',
    input: lead({ source: 'contact-form', text: 'Hello' }),
    quality: 'cold',
    score: 10,
    reasons: ['contact', 'message'],
  },
  {
    name: 'a Meta lead with email and phone is warm',
    input: lead({ source: 'meta', hasPhone: true }),
    quality: 'warm',
    score: 20,
    reasons: ['contact', 'source'],
  },
  {
    name: 'a Meta lead with only an email is cold',
    input: lead({ source: 'meta' }),
    quality: 'cold',
    score: 10,
    reasons: ['contact', 'source'],
  },
  {
    name: 'a chatbot asking for a quote is warm',
    input: lead({ source: 'chatbot', text: 'I need a quote for solar panels' }),
    quality: 'warm',
    score: 25,
    reasons: ['contact', 'message', 'source'],
  },
  {
    name: 'a chatbot saying asap is hot',
    input: lead({ source: 'chatbot', text: 'need help asap' }),
    quality: 'hot',
    score: 45,
    reasons: ['urgent_words', 'contact', 'message', 'source'],
  },
  {
    name: 'a short property inquiry is warm',
    input: lead({ source: 'property-inquiry', hasEmail: false, hasPhone: true, propertyId: 'prop-42', text: 'Is it still available?' }),
    quality: 'warm',
    score: 35,
    reasons: ['contact', 'message', 'property', 'source'],
  },
  {
    name: 'a complete property inquiry just under the hot score stays warm',
    input: lead({
      source: 'property-inquiry',
      hasPhone: true,
      propertyId: 'prop-42',
      text: 'We would like to book a viewing this weekend',
    }),
    quality: 'warm',
    score: 55,
    reasons: ['contact', 'message', 'property', 'source'],
  },
  {
    name: 'a property inquiry for today is hot',
    input: lead({ source: 'property-inquiry', hasPhone: true, propertyId: 'prop-7', text: 'Can we view it today?' }),
    quality: 'hot',
    score: 85,
    reasons: ['urgent_words', 'contact', 'message', 'property', 'source'],
  },
  {
    name: 'a named repair job with a description is warm',
    input: lead({ serviceType: 'Boiler repair', hasPhone: true, text: 'The boiler makes a strange noise since Monday' }),
    quality: 'warm',
    score: 40,
    reasons: ['service_type', 'contact', 'message'],
  },
  {
    name: 'enough points make a lead hot without any urgent signal',
    input: lead({
      source: 'referral',
      urgency: 'medium',
      serviceType: 'boiler repair',
      hasPhone: true,
      text: 'The boiler makes a strange noise since Monday',
    }),
    quality: 'hot',
    score: 60,
    reasons: ['urgency', 'service_type', 'contact', 'message', 'source'],
  },
  {
    name: 'a vague service type with nothing else is cold',
    input: lead({ serviceType: 'general question' }),
    quality: 'cold',
    score: 10,
    reasons: ['service_type', 'contact'],
  },
  {
    name: 'a phrase with a space ("no heat") is an urgent word',
    input: lead({ text: 'We have no heat in the house' }),
    quality: 'hot',
    score: 50,
    reasons: ['urgent_words', 'contact', 'message'],
  },
  {
    name: 'an urgent word inside a longer word does not count',
    input: lead({ hasPhone: true, text: 'The floodlight in the garden is out' }),
    quality: 'warm',
    score: 30,
    reasons: ['contact', 'message'],
  },
  {
    name: 'a phrase split over a line break still counts',
    input: lead({ hasEmail: false, hasPhone: true, text: 'Water is coming through the ceiling right\nnow' }),
    quality: 'hot',
    score: 50,
    reasons: ['urgent_words', 'contact', 'message'],
  },
  {
    name: 'a referral with both contacts is warm',
    input: lead({ source: 'referral', hasPhone: true }),
    quality: 'warm',
    score: 25,
    reasons: ['contact', 'source'],
  },
  {
    name: 'a configured extra word makes a German lead hot',
    input: lead({ text: 'Bitte dringend zurückrufen' }),
    settings: german,
    quality: 'hot',
    score: 40,
    reasons: ['urgent_words', 'contact', 'message'],
  },
  {
    name: 'without the extra word the same German lead is cold',
    input: lead({ text: 'Bitte dringend zurückrufen' }),
    quality: 'cold',
    score: 10,
    reasons: ['contact', 'message'],
  },
  {
    name: 'an extra word next to punctuation and umlauts matches as a whole word',
    input: lead({ text: 'Wasserrohrbruch! Bitte sofort kommen.' }),
    settings: german,
    quality: 'hot',
    score: 40,
    reasons: ['urgent_words', 'contact', 'message'],
  },
  {
    name: 'an extra word inside a longer word does not match',
    input: lead({ text: 'Ist nicht eiliger' }),
    settings: german,
    quality: 'cold',
    score: 10,
    reasons: ['contact', 'message'],
  },
];

describe('scoreLead', () => {
  it('has at least 20 cases', () => {
    expect(table.length).toBeGreaterThanOrEqual(20);
  });

  for (const { name, input, settings, quality, score, reasons } of table) {
    it(`when ${name}, then it is ${quality} with score ${score} because of ${reasons.join(', ')}`, () => {
      const result = scoreLead(input, settings);
      expect({ quality: result.quality, score: result.score, reasons: result.reasons.map((r) => r.code) }).toEqual({
        quality,
        score,
        reasons,
      });
      expect(result.score).toBe(
        Math.min(
          100,
          result.reasons.reduce((sum, r) => sum + r.points, 0),
        ),
      );
    });
  }

  it('when a lead mentions an urgent word, then the reason names the word', () => {
    const { reasons } = scoreLead(lead({ text: 'Our basement is FLOODING' }));
    expect(reasons.find((r) => r.code === 'urgent_words')?.detail).toBe('mentions "flooding"');
  });

  it('when thresholds are tuned, then the same lead changes quality', () => {
    const strict = { ...DEFAULT_SCORING, warmScore: 30 };
    const input = lead({ source: 'contact-form', text: 'Please call me back about pricing' });
    expect(scoreLead(input).quality).toBe('warm');
    expect(scoreLead(input, strict).quality).toBe('cold');
  });
});
