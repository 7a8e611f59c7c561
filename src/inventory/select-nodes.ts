import { UserError, type InputProblem } from '../model/errors.js';
import type { NodeSpec } from '../model/node.js';
import type { Role } from '../model/roles.js';
import { closestMatch } from '../model/closest-match.js';

/**
 * The nodes named in `names` (e.g. from `--nodes`), in inventory order, each
 * once; all nodes when `names` is undefined or empty. An unknown name is a
 * UserError listing every unknown name with the closest real one, so a typo
 * never silently narrows a run.
 */
export function selectNodes<N extends NodeSpec>(inventory: { readonly nodes: readonly N[] }, names?: readonly string[]): N[] {
  if (!names || names.length === 0) return [...inventory.nodes];
  const known = inventory.nodes.map((node) => node.name);
  const unknown = [...new Set(names.filter((name) => !known.includes(name)))];
  if (unknown.length > 0) {
    const problems: InputProblem[] = unknown.map((name) => {
      const guess = closestMatch(name, known);
      return {
        location: undefined,
        message: `no node named "${name}" in the inventory`,
        fix: `${guess ? `Did you mean "${guess}"? ` : ''}The nodes are: ${known.join(', ')}.`,
      };
    });
    throw new UserError(unknown.length === 1 ? 'Unknown node name:' : 'Unknown node names:', problems);
  }
  const wanted = new Set(names);
  return inventory.nodes.filter((node) => wanted.has(node.name));
}

/** The nodes that have at least one of `roles`, in their original order. */
export function filterNodesByRole<N extends NodeSpec>(nodes: readonly N[], roles: readonly Role[]): N[] {
  return nodes.filter((node) => node.roles.some((role) => roles.includes(role)));
}
