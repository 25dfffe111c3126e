// SPDX-License-Identifier: MIT
// DOM helpers of the participant client: elements built as text, never as HTML.
import { h, replace } from '../../common/dom.js';

export { h, replace };

export function byId(id) {
  return document.getElementById(id);
}
