// SPDX-License-Identifier: MIT
// DOM helpers of the participant client: elements built as text, never as HTML.

// Builds an element. `attrs`: `class`, `text`, `on<event>` handlers, properties such as
// `href` or `disabled`; anything with a dash (aria-*, data-*) is set as an attribute.
// Children: nodes, strings (as text), arrays; null, undefined and false are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key.includes('-') || !(key in el)) el.setAttribute(key, value === true ? '' : value);
    else el[key] = value;
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

export function byId(id) {
  return document.getElementById(id);
}
