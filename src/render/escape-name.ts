/**
 * The renderers' escaping of names from nodes and the cluster. It lives in
 * src/model (src/model/escape-name.ts) so that error messages and journals
 * built below render use the very same function.
 */
export { escapeLines, escapeName, isPrintable } from '../model/escape-name.js';
