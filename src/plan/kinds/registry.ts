import type { Change, ChangeKind } from '../../model/change.js';
import { apiObjectHandler } from './api-object.js';
import { etcdServiceHandler } from './etcd-service.js';
import { fileModeHandler } from './file-mode.js';
import { fileOwnerHandler } from './file-owner.js';
import type { ChangeDescription, PlanKindHandler } from './handler.js';
import { kubeletFileHandler } from './kubelet-file.js';
import { staticPodManifestHandler } from './static-pod-manifest.js';
import { supportFileHandler } from './support-file.js';
import { rancherConfigHandler } from './rancher-config.js';

/**
 * Every change kind's planning side, one per kind (the mapped type makes a
 * kind without a handler a compile error). Adding a kind means adding its
 * module and one line here. The order is the registry order the plan uses
 * where two kinds share a phase (handler.ts): owner before mode, since chown
 * can clear setuid bits and chmod last leaves the mode exact.
 */
export const PLAN_KIND_HANDLERS: { readonly [K in ChangeKind]: PlanKindHandler<K> } = {
  'file-owner': fileOwnerHandler,
  'file-mode': fileModeHandler,
  'support-file': supportFileHandler,
  'static-pod-manifest': staticPodManifestHandler,
  'kubelet-file': kubeletFileHandler,
  'api-object': apiObjectHandler,
  'etcd-service': etcdServiceHandler,
  'rancher-config': rancherConfigHandler,
};

/** The handlers in registry order. */
export const planKindHandlers: readonly PlanKindHandler[] = Object.values(PLAN_KIND_HANDLERS) as PlanKindHandler[];

export function planKindHandler<K extends ChangeKind>(kind: K): PlanKindHandler<K> {
  return PLAN_KIND_HANDLERS[kind] as PlanKindHandler<K>;
}

/** The change as renderers show it, from its kind's handler. */
export function describeChange(change: Change): ChangeDescription {
  return (planKindHandler(change.kind) as PlanKindHandler).describe(change as never);
}
