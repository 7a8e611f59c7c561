import type { InputProblem } from '../model/errors.js';
import { closestMatch } from '../model/closest-match.js';
import type { YamlLocator } from './locate.js';

/**
 * A waiver's `nodes:` must name inventory nodes: a misspelt name would
 * silently waive nothing where the user meant it, and a waiver meant for one
 * node must not fall back to all of them. Reads the raw data so that it runs
 * even while other values have problems: one run reports everything.
 */
export function findUnknownWaiverNodes(rawWaivers: unknown, nodeNames: readonly (string | undefined)[], locator: YamlLocator): InputProblem[] {
  if (!Array.isArray(rawWaivers)) return [];
  const known = nodeNames.filter((name): name is string => name !== undefined);
  const problems: InputProblem[] = [];
  rawWaivers.forEach((waiver: unknown, index) => {
    const nodes = typeof waiver === 'object' && waiver !== null ? (waiver as { nodes?: unknown }).nodes : undefined;
    if (!Array.isArray(nodes)) return;
    const control = (waiver as { control?: unknown }).control;
    const which = typeof control === 'string' ? `the waiver for ${control}` : `waivers[${index}]`;
    nodes.forEach((name: unknown, position) => {
      if (typeof name !== 'string' || known.includes(name)) return;
      const guess = closestMatch(name, known);
      problems.push({
        location: locator.locate(['waivers', index, 'nodes', position]),
        message: `${which} names node "${name}", which is not in the inventory's \`nodes:\``,
        fix: `${guess ? `Did you mean \`${guess}\`? ` : ''}Name nodes from \`nodes:\` (${known.join(', ')}), or leave \`nodes:\` out to waive the control everywhere.`,
      });
    });
  });
  return problems;
}
