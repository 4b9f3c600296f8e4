// A few lines instead of a framework: elements from data, text always as text (never parsed as HTML).
export type Child = Node | string | number | null | undefined | false;
export type Attributes = Readonly<Record<string, string | number | boolean | undefined | ((event: Event) => void)>>;

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
};

export const append = (parent: Node, children: readonly Child[]): void => {
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
};

/** Replaces what an element holds. */
export const fill = (element: Element, ...children: readonly Child[]): void => {
  element.replaceChildren();
  append(element, children);
};

/** A time as people read it here (the browser's zone), or a dash. */
export const time = (iso: string | null | undefined): string =>
  iso === null || iso === undefined ? '—' : new Date(iso).toLocaleTimeString([], { hour12: false });

export const dateTime = (iso: string | null | undefined): string =>
  iso === null || iso === undefined ? '—' : new Date(iso).toLocaleString([], { hour12: false, dateStyle: 'short', timeStyle: 'medium' });

/** Splits a status name into words: OutForDelivery -> "Out for delivery". */
export const words = (status: string): string => {
  const spaced = status.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};
