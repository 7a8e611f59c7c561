import { componentSource, type RancherConfigSourceOf } from '../../evaluate/component-source.js';
import { fileAuditVerdict } from '../../evaluate/kube-bench/file-audit.js';
import type { NodeContext } from '../../evaluate/node-context.js';
import { generatedEtcdConfig, isEtcdConfigFileControl } from '../../evaluate/rancher/etcd-config-controls.js';
import { predictEtcdConfig } from '../../evaluate/rancher/etcd-config-file.js';
import { argKeySources } from '../../evaluate/rancher/rancher-config.js';
import type { RancherConfigChange } from '../../model/change.js';
import type { EnsureControl } from '../../playbook/types.js';

type Variables = Readonly<Record<string, readonly string[]>>;

/**
 * The rancher-config planner's "would kube-bench pass after the edit" for
 * RKE2's etcd (DESIGN.md §7): etcd-arg is not on etcd's command line but
 * merged into the config file RKE2 generates at the restart, which is what
 * kube-bench's 2.x checks read. So the check predicts that file from the
 * planned config.yaml contents (etcd-config-file.ts) and runs kube-bench's
 * rules on the prediction; a control it would still fail, or whose file
 * cannot be predicted, is refused at plan time. Pure.
 */

/** True when RKE2 writes this component's `*-arg` into a generated config file, not onto its command line (the restart's argv stays as it is). */
export function argsGoToGeneratedFile(source: RancherConfigSourceOf): boolean {
  return source.component === 'etcd' && source.distribution === 'rke2';
}

/** The prediction's verdict for one control: true unless kube-bench would fail it on the generated file after `changes` (other controls: true). */
export function etcdConfigConvincing(control: EnsureControl, ctx: NodeContext, variables: Variables, changes: readonly RancherConfigChange[]): boolean {
  if (!isEtcdConfigFileControl(control)) return true;
  const config = generatedEtcdConfig(ctx.facts, ctx.roles, variables);
  if (!config) return true;
  const source = componentSource('etcd', ctx.facts, ctx.roles, variables);
  if (source.kind !== 'rancher-config' || config.text === undefined || !config.verbatim) return false;
  const planned = source.files.map((f) => {
    const change = changes.find((c) => c.node === ctx.name && c.target === f.path);
    return change ? { path: f.path, text: change.after.content } : f;
  });
  // A drop-in the changes create (config.yaml holds a secret): read last, as it sets a key no other file sets.
  for (const c of changes)
    if (c.node === ctx.name && c.action === 'create' && !source.files.some((f) => f.path === c.target)) planned.push({ path: c.target, text: c.after.content });
  const before = argKeySources(source.files, source.key);
  const after = argKeySources(planned, source.key);
  if ('problem' in before || 'problem' in after) return false;
  const predicted = predictEtcdConfig(
    config.text,
    before.entries.map((e) => e.raw),
    after.entries.map((e) => e.raw),
  );
  return predicted.kind === 'text' && fileAuditVerdict(control.kubeBench, predicted.text) !== 'FAIL';
}
