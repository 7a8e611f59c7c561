import { createHash } from 'node:crypto';
import type { NodeFacts } from '../../facts/types.js';
import type { Change, SupportFileChange } from '../../model/change.js';
import { isParamRef, type ParameterValue, type SupportFileStep } from '../../playbook/types.js';
import { MANIFESTS_DIR } from '../../facts/candidate-paths.js';

/** What the plan shows in place of a secret: its value never exists off the node. */
export const SECRET_SHOWN_AS = '<generated on the node at apply time>';

/**
 * A support file (audit policy, encryption config, admission config) as a
 * planned creation, or why it cannot be planned. Pure.
 * - `exists`: the file is already there; an existing file is never replaced
 *   (a replaced encryption config would lose its keys), so nothing to do.
 * - `create`: the change; `path` is what the control's flag will name.
 */
export type SupportFilePlan =
  | { readonly kind: 'create'; readonly path: string; readonly change: Omit<SupportFileChange, 'controlIds'> }
  | { readonly kind: 'exists'; readonly path: string }
  | { readonly kind: 'needs-parameter'; readonly parameter: string }
  | { readonly kind: 'refused'; readonly reason: string };

export function planSupportFile(step: SupportFileStep, node: string, facts: NodeFacts, parameters: Readonly<Record<string, ParameterValue>>): SupportFilePlan {
  let path: string;
  if (isParamRef(step.path)) {
    const chosen = parameters[step.path.param];
    if (chosen === undefined) return { kind: 'needs-parameter', parameter: step.path.param };
    if (typeof chosen !== 'string') return { kind: 'refused', reason: `parameter ${step.path.param} must be a path` };
    path = chosen;
  } else {
    path = step.path;
  }
  if (step.owner !== 'root' || step.group !== 'root')
    return { kind: 'refused', reason: `cis-fix creates support files owned by root only (the playbook asks for ${step.owner}:${step.group})` };
  const refused = checkPath(path);
  if (refused) return { kind: 'refused', reason: refused };
  if (facts.paths[path]?.exists) return { kind: 'exists', path };

  let content = step.content;
  for (const match of step.content.matchAll(/\$\{param\.([A-Za-z0-9_]+)\}/g)) {
    const value = parameters[match[1]!];
    if (value === undefined) return { kind: 'needs-parameter', parameter: match[1]! };
    if (typeof value === 'object') return { kind: 'refused', reason: `parameter ${match[1]!} is not a single value` };
    content = content.replaceAll(match[0], String(value));
  }
  const secrets = step.generatedSecrets.map((s) => ({ name: s.name, bytes: s.bytes, scope: s.scope }));
  const shown = secrets.reduce((text, s) => text.replaceAll(`\${secret.${s.name}}`, SECRET_SHOWN_AS), content);
  const diff = [
    `--- /dev/null`,
    `+++ ${path}`,
    `@@ new file, mode ${step.mode}, ${step.owner}:${step.group}${secrets.length ? `, ${secrets.map((s) => `${s.name}: ${s.bytes} random bytes`).join(', ')} ${SECRET_SHOWN_AS.slice(1, -1)}` : ''} @@`,
    ...shown
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `+${l}`),
  ].join('\n');
  return {
    kind: 'create',
    path,
    change: {
      id: `${node}:support-file:${path}`,
      node,
      kind: 'support-file',
      target: path,
      action: 'create',
      precondition: { exists: false, sha256: undefined, mode: '', uid: -1, gid: -1 },
      restart: 'none',
      diff,
      after: { content, mode: step.mode, secrets, sha256: secrets.length ? undefined : createHash('sha256').update(content, 'utf8').digest('hex') },
    },
  };
}

/** Only root-owned files outside the manifests directory (the kubelet would run anything there as a pod, DESIGN.md §1). */
function checkPath(path: string): string | undefined {
  if (!path.startsWith('/') || path.includes('/../') || path.endsWith('/')) return `${path} is not an absolute file path`;
  if (/\s/.test(path)) return `${path} contains white space; choose a path without`;
  if (path === MANIFESTS_DIR || path.startsWith(`${MANIFESTS_DIR}/`))
    return `${path} is inside ${MANIFESTS_DIR}, where the kubelet runs every file as a pod: choose another path`;
  return undefined;
}

/**
 * A cluster-wide secret (the encryption key every kube-apiserver must share)
 * must not be generated again where another node already has the file: the
 * change then copies that node's file (DESIGN.md §3: over SSH, in memory).
 * Pure; `facts` are every node's facts of this plan.
 */
export function shareClusterSecrets(changes: readonly Change[], facts: ReadonlyMap<string, NodeFacts>): Change[] {
  return changes.map((change) => {
    if (change.kind !== 'support-file' || !change.after.secrets.some((s) => s.scope === 'cluster')) return change;
    const held = (f: NodeFacts) => {
      const entry = f.paths[change.target];
      return entry?.exists === true && entry.type === 'file';
    };
    const source = [...facts].find(([node, f]) => node !== change.node && held(f))?.[0];
    if (source === undefined) return change;
    const diff = change.diff.replace(/\n/, `\n# copied from ${source}, which already holds it: every kube-apiserver needs the same key\n`);
    return { ...change, diff, after: { ...change.after, copyFrom: source } };
  });
}

/**
 * Why generating a cluster-wide secret is unsafe now, or undefined: a
 * control plane whose facts are missing (unreachable) may already hold the
 * file, and a second, different key would leave the API servers unable to
 * read each other's Secrets. Pure.
 */
export function unsharedClusterSecrets(changes: readonly Change[], unknownControlPlanes: readonly string[]): string | undefined {
  if (unknownControlPlanes.length === 0) return undefined;
  const generating = changes.filter((c) => c.kind === 'support-file' && c.after.copyFrom === undefined && c.after.secrets.some((s) => s.scope === 'cluster'));
  if (generating.length === 0) return undefined;
  return `cis-fix would generate a new cluster-wide key for ${[...new Set(generating.map((c) => c.target))].join(', ')} on ${[...new Set(generating.map((c) => c.node))].join(', ')}, but cannot tell whether ${unknownControlPlanes.join(', ')} already hold${unknownControlPlanes.length === 1 ? 's' : ''} one (unreachable)`;
}
