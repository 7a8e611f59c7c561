/**
 * Comma-separated list flags (`--enable-admission-plugins`,
 * `--authorization-mode`, `--feature-gates`, `--tls-cipher-suites`) as the
 * components split them: on ",", each element trimmed. Elements compare
 * exactly and case-sensitively, as the components match plugin and mode
 * names. Used both to edit a manifest and to predict the value a fix
 * leaves, so the two always agree.
 */

/** The elements of a list value, trimmed, empty ones dropped ("a,,b," is a, b). */
export function listElements(value: string): string[] {
  return value
    .split(',')
    .map((element) => element.trim())
    .filter((element) => element !== '');
}

export function joinElements(elements: readonly string[]): string {
  return elements.join(',');
}

/**
 * The list with `element` added at the start or end; the same value,
 * untouched, when the element is already there (existing order is kept:
 * `Node,RBAC` stays `Node,RBAC`).
 */
export function withElement(value: string | undefined, element: string, position: 'start' | 'end'): string {
  if (value === undefined) return element;
  const elements = listElements(value);
  if (elements.includes(element)) return value;
  return joinElements(position === 'start' ? [element, ...elements] : [...elements, element]);
}

/**
 * The list without `element` (every copy of it); undefined when nothing
 * remains, meaning the flag goes. The same value, untouched, when the
 * element is not there.
 */
export function withoutElement(value: string, element: string): string | undefined {
  const elements = listElements(value);
  if (!elements.includes(element)) return value;
  const rest = elements.filter((e) => e !== element);
  return rest.length ? joinElements(rest) : undefined;
}
