import { createField, h, setFieldError, showErrors, type Field } from './dom.ts';
import { CONTACT_HINT } from './mount-lead-form.ts';
import { placeFieldErrors } from './place-field-errors.ts';
import { submitLead, watchEarlierSubmission, type EmbedContext } from './submit-lead.ts';

export const CONTACT_QUESTION = 'Thanks! How can we reach you? Leave your email or phone number and we will get back to you.';

interface ChatMessage {
  role: 'bot' | 'user';
  content: string;
  sent_at: string;
}

/**
 * A short chat: the greeting, the visitor's message, then a question for an email or phone. The transcript
 * as the visitor saw it (with the times) goes to /api/chatbot/leads as `messages`. Enter sends, Shift+Enter
 * starts a new line.
 */
export function mountChat(root: ShadowRoot, context: EmbedContext): void {
  const { options } = context;
  const transcript: ChatMessage[] = [];
  const log = h('ol', { class: 'log', role: 'log', 'aria-label': 'Conversation' });
  const say = (role: ChatMessage['role'], content: string, record = true) => {
    if (record) transcript.push({ role, content, sent_at: new Date().toISOString() });
    log.append(h('li', { class: role }, h('span', { class: 'sr' }, role === 'bot' ? 'We said: ' : 'You said: '), content));
    log.scrollTop = log.scrollHeight;
  };

  const hintId = 'leadline-contact-hint';
  const message = createField('message', 'Your message', { required: true, maxlength: '10000', rows: '2' }, { multiline: true });
  const name = createField('name', 'Name (optional)', { autocomplete: 'name', maxlength: '200' });
  const email = createField('email', 'Email', { type: 'email', autocomplete: 'email', maxlength: '254' }, { hintId });
  const phone = createField('phone', 'Phone', { type: 'tel', autocomplete: 'tel', maxlength: '40' }, { hintId });
  const contactFields: Field[] = [name, email, phone];
  const contact = h('div', { hidden: true }, name.row, h('p', { class: 'hint', id: hintId }, CONTACT_HINT), email.row, phone.row);
  const alert = h('p', { class: 'alert', role: 'alert' });
  const button = h('button', { type: 'submit' }, options.button);
  const heading = options.title ? h('h2', { id: 'leadline-title' }, options.title) : undefined;
  const form = h(
    'form',
    { novalidate: true, ...(heading ? { 'aria-labelledby': heading.id } : { 'aria-label': 'Chat' }) },
    message.row,
    contact,
    alert,
    button,
  );
  const earlier = h('p', { class: 'note', role: 'status' });
  root.append(h('div', { class: 'box' }, ...(heading ? [heading] : []), earlier, log, form));
  watchEarlierSubmission(context, earlier);
  say('bot', options.greeting);

  message.control.addEventListener('keydown', (event) => {
    const key = event as KeyboardEvent;
    if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) {
      key.preventDefault();
      form.requestSubmit();
    }
  });

  let busy = false;
  const view = {
    setBusy(value: boolean) {
      busy = value;
      button.textContent = value ? 'Sending…' : options.button;
      button.setAttribute('aria-disabled', String(value));
      form.setAttribute('aria-busy', String(value));
    },
    showDone(text: string) {
      form.hidden = true;
      earlier.textContent = '';
      say('bot', text, false);
    },
    showWaiting(text: string) {
      form.hidden = true;
      say('bot', text, false);
    },
    showRefused(answer: { detail: string; errors: { path: string; message: string }[] }) {
      form.hidden = false;
      const placed = placeFieldErrors(answer.errors, new Map(contactFields.map((field) => [field.name, field.label])));
      const rest =
        placed.beside.size === 0 && placed.rest.length === 0 ? [`Your message could not be sent: ${answer.detail}`] : placed.rest;
      showErrors(contactFields, placed.beside, rest, alert);
    },
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const value = (field: Field) => field.control.value.trim();
    if (contact.hidden) {
      const text = value(message);
      if (!text) {
        showErrors([message], new Map([['message', 'Please write a message.']]), [], alert);
        return;
      }
      setFieldError(message, undefined);
      alert.textContent = '';
      say('user', text);
      message.row.hidden = true;
      contact.hidden = false;
      say('bot', CONTACT_QUESTION);
      email.control.focus();
      return;
    }
    if (!value(email) && !value(phone)) {
      showErrors(contactFields, new Map([['email', 'Please give an email address or a phone number.']]), [], alert);
      return;
    }
    for (const field of contactFields) setFieldError(field, undefined);
    alert.textContent = '';
    const body: Record<string, unknown> = { messages: [...transcript] };
    for (const field of contactFields) if (value(field)) body[field.name] = value(field);
    submitLead(context, body, view);
  });
}
