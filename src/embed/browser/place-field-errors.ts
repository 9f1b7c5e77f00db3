import type { FieldError } from '../../shared/app-error.ts';

export interface PlacedErrors {
  /** Field name → the sentence shown beside it. */
  beside: Map<string, string>;
  /** Errors no visible field owns, as sentences for the form's own error line. */
  rest: string[];
}

/** Server messages are fragments written to follow the field's name ("is required"); others stand alone. */
const FOLLOWS_NAME = /^(is|are|must|was|has|should|can|use)\b/;

function sentence(label: string | undefined, message: string): string {
  if (label && FOLLOWS_NAME.test(message)) return `${label} ${message}.`.replace(/\.\.$/, '.');
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?)]$/.test(message) ? '' : '.'}`;
}

/**
 * Puts each problem+json field error beside the visible field it names (`messages.3.content` belongs to
 * the message box); the first error per field wins. `labels` maps the visible fields' names to their labels.
 */
export function placeFieldErrors(errors: readonly FieldError[], labels: ReadonlyMap<string, string>): PlacedErrors {
  const beside = new Map<string, string>();
  const rest: string[] = [];
  for (const error of errors) {
    const name = error.path.startsWith('messages') ? 'message' : error.path;
    const label = labels.get(name);
    if (label === undefined) rest.push(sentence(error.path || undefined, error.message));
    else if (!beside.has(name)) beside.set(name, sentence(label, error.message));
  }
  return { beside, rest };
}
