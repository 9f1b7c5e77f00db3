// Every text the embed shows (the site's data-* options, what the visitor typed, the server's messages)
// reaches the DOM as text nodes or attribute values, never as HTML.

type Attributes = Record<string, string | boolean | undefined>;

/** Builds an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== false) element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

/** An input with its label and the error line beside it (its accessible description, read with the field). */
export interface Field {
  name: string;
  label: string;
  control: HTMLInputElement | HTMLTextAreaElement;
  error: HTMLElement;
  row: HTMLElement;
}

export function createField(
  name: string,
  label: string,
  attributes: Attributes,
  options: { multiline?: boolean; hintId?: string } = {},
): Field {
  const id = `leadline-${name}`;
  const error = h('p', { class: 'error', id: `${id}-error` });
  const control = h(options.multiline ? 'textarea' : 'input', {
    id,
    name,
    'aria-describedby': options.hintId ? `${options.hintId} ${error.id}` : error.id,
    ...attributes,
  });
  const checkbox = attributes['type'] === 'checkbox';
  const caption = h('label', { for: id }, label);
  if (attributes['required'] && !checkbox) caption.append(h('span', { class: 'required', 'aria-hidden': 'true' }, ' *'));
  const row = h('div', { class: checkbox ? 'row check' : 'row' }, ...(checkbox ? [control, caption] : [caption, control]), error);
  return { name, label, control, error, row };
}

export function setFieldError(field: Field, message: string | undefined): void {
  field.error.textContent = message ?? '';
  if (message) field.control.setAttribute('aria-invalid', 'true');
  else field.control.removeAttribute('aria-invalid');
}

/**
 * Shows errors beside their fields and a summary in the form's `role="alert"` line (announced at once), then
 * moves focus to the first field in error, so a keyboard or screen-reader user lands where the fix goes.
 */
export function showErrors(
  fields: readonly Field[],
  beside: ReadonlyMap<string, string>,
  rest: readonly string[],
  alert: HTMLElement,
): void {
  let first: Field | undefined;
  for (const field of fields) {
    const message = beside.get(field.name);
    setFieldError(field, message);
    if (message && !first) first = field;
  }
  const count = [...beside.keys()].filter((name) => fields.some((field) => field.name === name)).length;
  const summary = count === 0 ? [] : [count === 1 ? 'Please check the marked field.' : `Please check the ${count} marked fields.`];
  alert.textContent = [...summary, ...rest].join(' ');
  first?.control.focus();
}
