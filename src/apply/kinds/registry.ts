import type { ApiObjectChange } from '../../model/api-object-change.js';
import type { ChangeKind, NodeChange } from '../../model/change.js';
import type { FileOriginal, FileWriteStartedStep } from '../../model/run-journal.js';
import { apiObjectHandler } from './api-object.js';
import { etcdServiceHandler } from './etcd-service.js';
import { fileModeHandler } from './file-mode.js';
import { fileOwnerHandler } from './file-owner.js';
import type { ClusterKindHandler, NodeKindHandler } from './handler.js';
import { kubeletFileHandler } from './kubelet-file.js';
import { staticPodManifestHandler } from './static-pod-manifest.js';
import { supportFileHandler } from './support-file.js';
import { rancherConfigHandler } from './rancher-config.js';

/**
 * Every change kind's apply-side handler. The mapped types make the
 * registry complete: a kind added to the model without a handler here does
 * not compile.
 */
const nodeHandlers: { readonly [K in NodeChange['kind']]: NodeKindHandler<Extract<NodeChange, { kind: K }>> } = {
  'file-mode': fileModeHandler,
  'file-owner': fileOwnerHandler,
  'static-pod-manifest': staticPodManifestHandler,
  'kubelet-file': kubeletFileHandler,
  'support-file': supportFileHandler,
  'etcd-service': etcdServiceHandler,
  'rancher-config': rancherConfigHandler,
};

const clusterHandlers: { readonly [K in ApiObjectChange['kind']]: ClusterKindHandler<Extract<ApiObjectChange, { kind: K }>> } = {
  'api-object': apiObjectHandler,
};

// A handler receives only changes of its own kind (the lookup is by `kind`), so widening its parameter type is sound.
export function nodeHandlerFor(change: NodeChange): NodeKindHandler<NodeChange> {
  return nodeHandlers[change.kind] as NodeKindHandler<NodeChange>;
}

export function nodeHandlerOfKind(kind: NodeChange['kind']): NodeKindHandler<NodeChange> {
  return nodeHandlers[kind] as NodeKindHandler<NodeChange>;
}

export function clusterHandlerFor(change: ApiObjectChange): ClusterKindHandler<ApiObjectChange> {
  return clusterHandlers[change.kind];
}

/** The cluster kind a journal's API steps belong to (the API side has one kind today). */
export function clusterHandlerOfKind(kind: ApiObjectChange['kind']): ClusterKindHandler<ApiObjectChange> {
  return clusterHandlers[kind];
}

export function isNodeKind(kind: string): kind is NodeChange['kind'] {
  return Object.hasOwn(nodeHandlers, kind);
}

export function isKnownKind(kind: string): kind is ChangeKind {
  return isNodeKind(kind) || Object.hasOwn(clusterHandlers, kind);
}

/**
 * The change kind of a journal's 'write-started' step. Journals from before
 * `kind` was recorded name it in the change id (`<node>:<kind>:<target>`);
 * for an id that does not, the kind whose restore and gate match what the
 * step says.
 */
export function journalKindOf(step: FileWriteStartedStep, original: FileOriginal): NodeChange['kind'] {
  if (step.kind !== undefined && isNodeKind(step.kind)) return step.kind;
  const prefix = `${step.node}:`;
  if (step.changeId.startsWith(prefix)) {
    const kind = step.changeId.slice(prefix.length).split(':')[0] ?? '';
    if (isNodeKind(kind)) return kind;
  }
  if (original.absent) return supportFileHandler.kind;
  if (step.restart === 'kubelet') return kubeletFileHandler.kind;
  if (step.restart !== undefined) return staticPodManifestHandler.kind;
  return fileModeHandler.kind;
}
