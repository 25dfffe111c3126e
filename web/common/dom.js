// SPDX-License-Identifier: MIT
// Element building shared by the console and the participant client: text only, never
// HTML.

// Read-only properties whose attribute must be set instead (<button form>, <input list>).
const ATTRIBUTE_ONLY = new Set(['form', 'list']);

// Builds an element. `attrs`: `class`, `text`, `on<event>` handlers, properties such as
// `value`, `checked`, `disabled`, `hidden`, `htmlFor`, `href`; anything with a dash
// (aria-*, data-*), `form`, `list`, or unknown as a property is set as an attribute.
// Children: nodes, strings (as text), arrays; null, undefined and false are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key.includes('-') || ATTRIBUTE_ONLY.has(key) || !(key in el)) {
      el.setAttribute(key, value === true ? '' : value);
    } else el[key] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// Removes every child of `el`, then appends `children`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
