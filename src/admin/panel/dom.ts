// Every piece of lead data reaches the DOM as text (text nodes, textContent, attributes set with
// setAttribute), never as HTML, so a name like <img onerror=…> shows as the characters it is. Nothing in
// the panel assigns innerHTML.

/** The element with this id, checked to be of `type`: a page and a script that disagree fail at once. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof (type ?? HTMLElement)))
    throw new Error(`#${id} is missing from the page or is not a ${type?.name ?? 'HTMLElement'}`);
  return element as T;
}

export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** The attributes and handlers the panel sets; anything else is not needed and so not allowed. */
export interface ElementProps {
  id?: string;
  class?: string;
  title?: string;
  href?: string;
  type?: string;
  value?: string;
  for?: string;
  datetime?: string;
  src?: string;
  tabindex?: number;
  'aria-label'?: string;
  selected?: boolean;
  dataset?: Record<string, string | undefined>;
  onclick?: (event: MouseEvent) => void;
  onkeydown?: (event: KeyboardEvent) => void;
  onchange?: (event: Event) => void;
}

/** Builds an element. Children that are not Nodes become text nodes: that is the escaping. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { class: className, dataset, onclick, onkeydown, onchange, ...attributes } = props;
  if (className) element.className = className;
  for (const [name, value] of Object.entries(dataset ?? {})) if (value !== undefined) element.dataset[name] = value;
  const target: HTMLElement = element;
  if (onclick) target.addEventListener('click', onclick);
  if (onkeydown) target.addEventListener('keydown', onkeydown);
  if (onchange) target.addEventListener('change', onchange);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  appendChildren(element, children);
  return element;
}

function appendChildren(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Props for a row or list item that opens something on click and on Enter, reachable by Tab. */
export function activates(action: () => void): Pick<ElementProps, 'tabindex' | 'onclick' | 'onkeydown'> {
  return {
    tabindex: 0,
    onclick: action,
    onkeydown: (event) => {
      if (event.key === 'Enter') action();
    },
  };
}

export function section(title: string, ...content: Child[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', {}, title), ...content);
}

/** A definition list of the pairs that have a value; "Nothing recorded." when none has. */
export function keyValues(pairs: readonly (readonly [string, Child])[]): HTMLElement {
  const rows = pairs.filter(([, value]) => value !== undefined && value !== null && value !== '' && value !== false);
  if (rows.length === 0) return h('p', { class: 'muted' }, 'Nothing recorded.');
  return h(
    'dl',
    { class: 'kv' },
    rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}
