/**
 * 5.1.1: remove the subjects the user lists (parameter
 * removeClusterAdminSubjects) from every binding to cluster-admin. Never
 * kubeadm's administrators (system:masters, kubeadm:cluster-admins) and
 * never an auto-reconciled binding (the API server would put it back).
 * Removing is a merge patch of the binding's whole `subjects` list, guarded
 * by its resourceVersion. Pure.
 */
import type { BindingFacts, SubjectFacts } from '../../../facts/cluster/types.js';
import { apiObjectChangeId, describeApiObject, type ApiObjectPatch, type ApiObjectRef, type JsonObject } from '../../../model/api-object-change.js';
import { patchDiff } from '../../api-object/merge-patch.js';

export interface SubjectPattern {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly name: string;
  readonly namespace: string | undefined;
}

const PROTECTED_GROUPS = ['system:masters', 'kubeadm:cluster-admins'];

/** `User:alice`, `Group:ops`, `ServiceAccount:ci/deployer`, or a message saying how to write it. */
export function parseSubject(text: string): SubjectPattern | { readonly problem: string } {
  const m = /^(User|Group|ServiceAccount):(.+)$/.exec(text.trim());
  if (!m) return { problem: `removeClusterAdminSubjects: "${text}" is not Kind:name - write User:alice, Group:ops or ServiceAccount:namespace/name` };
  const kind = m[1] as SubjectPattern['kind'];
  const rest = m[2] ?? '';
  if (kind === 'ServiceAccount') {
    const [namespace, name] = rest.split('/');
    if (!namespace || !name) return { problem: `removeClusterAdminSubjects: "${text}" needs the namespace - ServiceAccount:namespace/name` };
    return { kind, namespace, name };
  }
  if (kind === 'Group' && PROTECTED_GROUPS.includes(rest))
    return { problem: `removeClusterAdminSubjects: ${rest} is how kubeadm's administrators get in; cis-fix never removes it` };
  return { kind, name: rest, namespace: undefined };
}

function matches(subject: SubjectFacts, pattern: SubjectPattern): boolean {
  return subject.kind === pattern.kind && subject.name === pattern.name && (pattern.kind !== 'ServiceAccount' || subject.namespace === pattern.namespace);
}

function subjectJson(s: SubjectFacts): JsonObject {
  return { kind: s.kind, name: s.name, ...(s.kind === 'ServiceAccount' ? { namespace: s.namespace ?? '' } : { apiGroup: 'rbac.authorization.k8s.io' }) };
}

export function planSubjectRemovals(
  bindings: readonly BindingFacts[],
  entries: readonly string[],
): { readonly changes: ApiObjectPatch[]; readonly problems: string[] } {
  const problems: string[] = [];
  const patterns: SubjectPattern[] = [];
  for (const entry of entries) {
    const parsed = parseSubject(entry);
    if ('problem' in parsed) problems.push(parsed.problem);
    else patterns.push(parsed);
  }
  const changes: ApiObjectPatch[] = [];
  for (const binding of bindings.filter((b) => b.roleRef.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin')) {
    const removed = binding.subjects.filter((s) => patterns.some((p) => matches(s, p)));
    if (!removed.length) continue;
    if (binding.annotations['rbac.authorization.kubernetes.io/autoupdate'] === 'true') {
      problems.push(
        `${binding.kind} ${binding.name} is reconciled by the API server at every start; cis-fix cannot remove ${removed.map((s) => s.name).join(', ')} from it`,
      );
      continue;
    }
    const ref: ApiObjectRef = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: binding.kind, namespace: binding.namespace, name: binding.name };
    const patch: JsonObject = { subjects: binding.subjects.filter((s) => !removed.includes(s)).map(subjectJson) };
    const before: JsonObject = { subjects: binding.subjects.map(subjectJson) };
    changes.push({
      kind: 'api-object',
      id: apiObjectChangeId(ref),
      node: undefined,
      controlIds: ['5.1.1'],
      target: describeApiObject(ref),
      object: ref,
      action: 'patch',
      precondition: { resourceVersion: binding.resourceVersion },
      patch,
      before,
      after: [],
      diff: patchDiff(describeApiObject(ref), binding.resourceVersion, before, patch),
      notes: removed.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} loses cluster-admin through this binding`),
      dryRunWarnings: [],
    });
  }
  return { changes, problems };
}
