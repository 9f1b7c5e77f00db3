import { createField, h, setFieldError, showErrors, type Field } from './dom.ts';
import { placeFieldErrors } from './place-field-errors.ts';
import { submitLead, watchEarlierSubmission, type EmbedContext } from './submit-lead.ts';

export const CONTACT_HINT = 'Email or phone: at least one, so we can answer you.';

/** The contact form and the property inquiry: name, email, phone, message (and the consent box when asked for). */
export function mountLeadForm(root: ShadowRoot, context: EmbedContext): void {
  const { options } = context;
  const inquiry = options.form === 'inquiry';
  const hintId = 'leadline-contact-hint';
  const name = createField('name', 'Name', { autocomplete: 'name', required: true, maxlength: '200' });
  const email = createField('email', 'Email', { type: 'email', autocomplete: 'email', maxlength: '254' }, { hintId });
  const phone = createField('phone', 'Phone', { type: 'tel', autocomplete: 'tel', maxlength: '40' }, { hintId });
  const message = createField(
    'message',
    inquiry ? 'Message (optional)' : 'Message',
    { required: !inquiry, maxlength: '10000', rows: '4' },
    { multiline: true },
  );
  const consent = options.consent
    ? createField('consent', options.consent, { type: 'checkbox', required: options.consentRequired })
    : undefined;
  const fields: Field[] = [name, email, phone, message, ...(consent ? [consent] : [])];
  const labels = new Map(fields.map((field) => [field.name, field.label]));

  const alert = h('p', { class: 'alert', role: 'alert' });
  const button = h('button', { type: 'submit' }, options.button);
  const heading = options.title ? h('h2', { id: 'leadline-title' }, options.title) : undefined;
  const form = h(
    'form',
    {
      novalidate: true,
      ...(heading ? { 'aria-labelledby': heading.id } : { 'aria-label': inquiry ? 'Property inquiry' : 'Contact form' }),
    },
    name.row,
    h('p', { class: 'hint', id: hintId }, CONTACT_HINT),
    email.row,
    phone.row,
    message.row,
    ...(consent ? [consent.row] : []),
    alert,
    button,
  );
  const earlier = h('p', { class: 'note', role: 'status' });
  const note = h('div', { class: 'note', role: 'status', tabindex: '-1' });
  root.append(h('div', { class: 'box' }, ...(heading ? [heading] : []), earlier, form, note));
  watchEarlierSubmission(context, earlier);

  let busy = false;
  const finish = (text: string) => {
    form.hidden = true;
    earlier.textContent = '';
    note.textContent = text;
    note.focus();
  };
  const view = {
    setBusy(value: boolean) {
      busy = value;
      button.textContent = value ? 'Sending…' : options.button;
      button.setAttribute('aria-disabled', String(value));
      form.setAttribute('aria-busy', String(value));
    },
    showDone: finish,
    showWaiting: finish,
    showRefused(answer: { detail: string; errors: { path: string; message: string }[] }) {
      // A retry can be refused after the form gave way to the waiting note: bring the form back to fix it.
      form.hidden = false;
      note.textContent = '';
      const placed = placeFieldErrors(answer.errors, labels);
      const rest =
        placed.beside.size === 0 && placed.rest.length === 0 ? [`Your message could not be sent: ${answer.detail}`] : placed.rest;
      showErrors(fields, placed.beside, rest, alert);
    },
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const value = (field: Field) => field.control.value.trim();
    const problems = new Map<string, string>();
    if (!value(name)) problems.set('name', 'Please enter your name.');
    if (!value(email) && !value(phone)) problems.set('email', 'Please give an email address or a phone number.');
    if (!inquiry && !value(message)) problems.set('message', 'Please write a message.');
    if (consent && options.consentRequired && !(consent.control as HTMLInputElement).checked) {
      problems.set('consent', 'Please tick this box to continue.');
    }
    if (problems.size > 0) {
      showErrors(fields, problems, [], alert);
      return;
    }
    for (const field of fields) setFieldError(field, undefined);
    alert.textContent = '';

    const body: Record<string, unknown> = {};
    for (const field of [name, email, phone, message]) if (value(field)) body[field.name] = value(field);
    // The consent record keeps the wording the visitor saw and the page they saw it on, as proof of what was agreed.
    if (consent && options.consent)
      body['consent'] = {
        given: (consent.control as HTMLInputElement).checked,
        text: options.consent.slice(0, 2_000),
        page: location.href.slice(0, 2_000),
      };
    if (inquiry) {
      body['property_id'] = options.propertyId;
      if (options.propertyTitle) body['property_title'] = options.propertyTitle;
    }
    submitLead(context, body, view);
  });
}
