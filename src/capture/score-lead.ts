import type { Quality } from '../channels/channel.ts';

export interface ScoringInput {
  source: string;
  urgency?: 'emergency' | 'high' | 'medium' | 'low' | undefined;
  serviceType?: string | undefined;
  text: string;
  hasEmail: boolean;
  hasPhone: boolean;
  propertyId?: string | undefined;
}

export interface ScoreReason {
  code: string;
  points: number;
  detail: string;
}

export interface LeadScore {
  quality: Quality;
  score: number;
  reasons: ScoreReason[];
}

/** Words that mean someone needs help now. Matched as whole words, case-insensitively. */
export const URGENT_WORDS = [
  'urgent', 'urgently', 'asap', 'emergency', 'immediately', 'right away', 'today', 'tonight', 'now',
  'leak', 'leaking', 'flood', 'flooding', 'burst', 'no heat', 'no power', 'broken', 'fire', 'smoke',
];

const URGENT_PATTERN = new RegExp(`\\b(${URGENT_WORDS.map((word) => word.replace(/\s+/g, '\\s+')).join('|')})\\b`, 'i');

/** Service types that usually mean high intent (a named, bookable job). */
const HIGH_INTENT_SERVICES = /\b(repair|install|installation|replacement|quote|booking|appointment|viewing|purchase|buy)\b/i;

const SOURCE_POINTS: Record<string, number> = { meta: 5, chatbot: 5, 'property-inquiry': 10, referral: 10 };

/** Points at which a lead is warm or hot regardless of the single strongest signal. */
export const WARM_SCORE = 25;
export const HOT_SCORE = 60;

/**
 * Scores a lead from what it says about itself. A strong signal (emergency or high urgency, an urgent word)
 * makes a lead hot outright; otherwise the points decide: a message with a way to answer is warm.
 */
export function scoreLead(input: ScoringInput): LeadScore {
  const reasons: ScoreReason[] = [];
  const add = (code: string, points: number, detail: string) => reasons.push({ code, points, detail });

  if (input.urgency === 'emergency') add('urgency', 50, 'urgency: emergency');
  else if (input.urgency === 'high') add('urgency', 35, 'urgency: high');
  else if (input.urgency === 'medium') add('urgency', 10, 'urgency: medium');

  const urgentWord = URGENT_PATTERN.exec(input.text)?.[1];
  if (urgentWord) add('urgent_words', 30, `mentions "${urgentWord.toLowerCase()}"`);

  if (input.serviceType) {
    if (HIGH_INTENT_SERVICES.test(input.serviceType)) add('service_type', 10, `high-intent service: ${input.serviceType}`);
    else add('service_type', 5, `service: ${input.serviceType}`);
  }

  if (input.hasEmail && input.hasPhone) add('contact', 15, 'email and phone given');
  else add('contact', 5, input.hasPhone ? 'phone given' : 'email given');

  const words = input.text.trim().split(/\s+/).filter(Boolean).length;
  if (words >= 5) add('message', 10, `message of ${words} words`);
  else if (words > 0) add('message', 5, 'short message');

  if (input.propertyId) add('property', 10, 'asks about a specific property');
  const sourcePoints = SOURCE_POINTS[input.source];
  if (sourcePoints) add('source', sourcePoints, `source: ${input.source}`);

  const score = Math.min(100, reasons.reduce((sum, reason) => sum + reason.points, 0));
  const strongSignal = input.urgency === 'emergency' || input.urgency === 'high' || urgentWord !== undefined;
  const quality: Quality = strongSignal || score >= HOT_SCORE ? 'hot' : words > 0 && score >= WARM_SCORE ? 'warm' : words > 0 ? 'warm' : 'cold';
  return { quality, score, reasons };
}
