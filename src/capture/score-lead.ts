import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';

export interface ScoringInput {
  source: string;
  urgency?: 'emergency' | 'high' | 'medium' | 'low' | undefined;
  serviceType?: string | undefined;
  text: string;
  hasEmail: boolean;
  hasPhone: boolean;
  propertyId?: string | undefined;
}

export type ScoreReasonCode = 'urgency' | 'urgent_words' | 'service_type' | 'contact' | 'message' | 'property' | 'source';

export interface ScoreReason {
  code: ScoreReasonCode;
  points: number;
  detail: string;
}

export interface LeadScore {
  quality: Quality;
  score: number;
  reasons: ScoreReason[];
}

/** Every number the scoring uses, so an operator can tune it without touching the rules. */
export interface ScoringSettings {
  points: {
    urgency: { emergency: number; high: number; medium: number; low: number };
    urgentWord: number;
    highIntentService: number;
    otherService: number;
    emailAndPhone: number;
    oneContact: number;
    /** A message of at least `detailedMessageWords` words. */
    detailedMessage: number;
    shortMessage: number;
    property: number;
    /** Extra points by source (where leads tend to mean business). */
    source: Readonly<Record<string, number>>;
  };
  detailedMessageWords: number;
  /** At or above: hot, whatever the signals. */
  hotScore: number;
  /** At or above: warm; below: cold. */
  warmScore: number;
  /** Words or phrases that mean someone needs help now; matched as whole words, case-insensitively. */
  urgentWords: readonly string[];
  /** Service types that name a bookable job (a regular expression source, case-insensitive). */
  highIntentServices: RegExp;
}

/** The built-in urgent words. `SCORING_URGENT_WORDS` adds to these (e.g. words in the team's language). */
export const URGENT_WORDS: readonly string[] = [
  'urgent',
  'urgently',
  'asap',
  'emergency',
  'immediately',
  'right away',
  'right now',
  'today',
  'tonight',
  'leak',
  'leaking',
  'flood',
  'flooding',
  'burst',
  'no heat',
  'no power',
  'no hot water',
  'broken',
  'fire',
  'smoke',
];

export const DEFAULT_SCORING: ScoringSettings = {
  points: {
    urgency: { emergency: 50, high: 35, medium: 10, low: 0 },
    urgentWord: 30,
    highIntentService: 10,
    otherService: 5,
    emailAndPhone: 15,
    oneContact: 5,
    detailedMessage: 15,
    shortMessage: 5,
    property: 15,
    source: { meta: 5, chatbot: 5, 'property-inquiry': 10, referral: 10 },
  },
  detailedMessageWords: 5,
  hotScore: 60,
  warmScore: 20,
  urgentWords: URGENT_WORDS,
  highIntentServices: /\b(repair|install|installation|replacement|quote|booking|appointment|viewing|purchase|buy)\b/i,
};

/**
 * The default settings plus extra urgent words (the comma list of `SCORING_URGENT_WORDS`). Empty entries
 * are ignored; the defaults are never removed.
 */
export function createScoringSettings(options: { extraUrgentWords?: readonly string[] } = {}): ScoringSettings {
  const extra = (options.extraUrgentWords ?? []).map((word) => word.trim().toLowerCase()).filter((word) => word !== '');
  return { ...DEFAULT_SCORING, urgentWords: [...new Set([...DEFAULT_SCORING.urgentWords, ...extra])] };
}

const patterns = new WeakMap<readonly string[], RegExp>();

/**
 * Whole-word match that also works for words starting or ending in a non-ASCII letter (`\b` only knows
 * ASCII word characters): a word boundary is "not a letter or digit" on either side.
 */
function urgentPattern(words: readonly string[]): RegExp {
  let pattern = patterns.get(words);
  if (!pattern) {
    const alternatives = [...words]
      .sort((a, b) => b.length - a.length)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
    patterns.set(words, pattern);
  }
  return pattern;
}

/**
 * Scores a lead from what it says about itself and returns every reason that counted. A strong signal
 * (emergency or high urgency, an urgent word) makes a lead hot outright; otherwise the points decide:
 * hot from `hotScore`, warm from `warmScore`, cold below (a bare contact with nothing to answer).
 */
export function scoreLead(input: ScoringInput, settings: ScoringSettings = DEFAULT_SCORING): LeadScore {
  const { points } = settings;
  const reasons: ScoreReason[] = [];
  const add = (code: ScoreReasonCode, value: number, detail: string) => {
    if (value !== 0) reasons.push({ code, points: value, detail });
  };

  if (input.urgency) add('urgency', points.urgency[input.urgency], `urgency: ${input.urgency}`);

  const urgentWord = urgentPattern(settings.urgentWords).exec(input.text)?.[1];
  if (urgentWord) add('urgent_words', points.urgentWord, `mentions "${urgentWord.toLowerCase().replace(/\s+/g, ' ')}"`);

  const serviceType = input.serviceType?.trim();
  if (serviceType) {
    if (settings.highIntentServices.test(serviceType)) add('service_type', points.highIntentService, `high-intent service: ${serviceType}`);
    else add('service_type', points.otherService, `service: ${serviceType}`);
  }

  if (input.hasEmail && input.hasPhone) add('contact', points.emailAndPhone, 'email and phone given');
  else if (input.hasEmail || input.hasPhone) add('contact', points.oneContact, input.hasPhone ? 'phone only' : 'email only');

  const words = input.text.trim().split(/\s+/).filter(Boolean).length;
  if (words >= settings.detailedMessageWords) add('message', points.detailedMessage, `message of ${words} words`);
  else if (words > 0) add('message', points.shortMessage, 'short message');

  if (input.propertyId) add('property', points.property, 'asks about a specific property');
  const sourcePoints = points.source[input.source];
  if (sourcePoints) add('source', sourcePoints, `source: ${input.source}`);

  const score = Math.max(
    0,
    Math.min(
      100,
      reasons.reduce((sum, reason) => sum + reason.points, 0),
    ),
  );
  const strongSignal = input.urgency === 'emergency' || input.urgency === 'high' || urgentWord !== undefined;
  const quality: Quality = strongSignal || score >= settings.hotScore ? 'hot' : score >= settings.warmScore ? 'warm' : 'cold';
  return { quality, score, reasons };
}
