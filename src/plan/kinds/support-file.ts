import { UserError } from '../../model/errors.js';
import type { SupportFileChange } from '../../model/change.js';
import type { NodeKindHandler } from './handler.js';
import { planStaticPodControls } from './static-pod-controls.js';
import { shareClusterSecrets, unsharedClusterSecrets } from './support-file-content.js';
import { dirname, MAX_CREATED_MODE, tightens, type NodeScope } from './invariant-scope.js';

/**
 * `support-file` (DESIGN.md §2): a file a static-pod flag names (audit
 * policy, encryption config, admission config), created root-owned with
 * content from the playbook; secrets are generated on the node. A
 * cluster-wide secret some control plane already holds is copied from it,
 * never generated anew — also from control planes outside the selection.
 */
export const supportFileHandler: NodeKindHandler<'support-file'> = {
  kind: 'support-file',
  scope: 'node',
  phase: 1,
  // Created before the manifest that names it: that manifest's change restarts the component.
  restarts: () => undefined,
  plan(input) {
    const planned = planStaticPodControls(input);
    return { changes: planned.supportFiles, findings: planned.findings };
  },
  describe(change) {
    const secrets = change.after.secrets.length
      ? `, ${change.after.secrets.length} secret${change.after.secrets.length === 1 ? '' : 's'} generated on the node`
      : '';
    const source = change.after.copyFrom !== undefined ? `, copied from ${change.after.copyFrom}` : secrets;
    return { summary: `creates ${change.target} (mode ${change.after.mode}${source})`, diff: change.diff };
  },
  fleet: {
    wantsOtherControlPlanes: generatesClusterSecret,
    finish(changes, fleet) {
      if (!generatesClusterSecret(changes)) return [...changes];
      const shared = shareClusterSecrets(changes, fleet.facts) as SupportFileChange[];
      const unsafe = unsharedClusterSecrets(shared, fleet.unknownControlPlanes);
      if (unsafe) {
        throw new UserError(
          unsafe,
          [],
          [`Make ${fleet.unknownControlPlanes.join(', ')} reachable, or leave the encryption config out of this run (--skip 1.2.27,1.2.28).`],
        );
      }
      return shared;
    },
  },
  invariants(change, scope: NodeScope) {
    const out: string[] = [];
    if (scope.pathsKnown && !scope.supportFiles.has(change.target))
      out.push(`target: ${change.target} is not a file the playbooks (or the inventory's parameters) name for ${change.node}`);
    if (scope.manifestDirs.has(dirname(change.target))) out.push(`target: nothing but a manifest is ever written into ${dirname(change.target)}`);
    if (change.precondition.exists) out.push('precondition.exists: a support file is only ever created, never overwritten');
    if (!tightens(MAX_CREATED_MODE.toString(), change.after.mode)) out.push(`after.mode: ${change.after.mode} gives more than 0600 to a created file`);
    return out;
  },
};

function generatesClusterSecret(changes: readonly SupportFileChange[]): boolean {
  return changes.some((c) => c.after.secrets.some((s) => s.scope === 'cluster'));
}
