import { createHash } from 'node:crypto';
import { normalizePath } from '../../facts/index.js';
import { resolvePaths } from '../../facts/resolve-paths.js';
import type { ComponentProcess, NodeFacts, PathFacts } from '../../facts/types.js';
import { reconstructKubeletCommandLine } from '../../evaluate/kubelet/kubelet-command-line.js';

/**
 * The node as it would be after kubelet edits are written and the kubelet
 * is restarted (systemctl daemon-reload && systemctl restart kubelet): the
 * files hold the new text, and the running kubelet's argv is what the unit
 * now gives. Pure. Used to check a planned fix (the setting must then be
 * compliant and no further fix planned) and to predict kube-bench's verdict
 * after apply.
 *
 * Invariant: only paths that exist in `facts` are replaced (anything else
 * is a bug in the caller). A kubelet that was not running is left not
 * running: cis-fix cannot tell whether a restart would bring it up.
 */
export function factsAfterKubeletEdits(facts: NodeFacts, texts: ReadonlyMap<string, string>): NodeFacts {
  const paths: Record<string, PathFacts> = { ...facts.paths };
  for (const [path, text] of texts) {
    const key = normalizePath(path);
    const entry = paths[key];
    if (!entry?.exists) throw new Error(`cannot simulate an edit of ${path}: it does not exist in the facts`);
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
    const size = Buffer.byteLength(text, 'utf8');
    paths[key] = {
      ...entry,
      ...(entry.followed ? { followed: { ...entry.followed, sha256, size } } : { sha256, size }),
      content: { kind: 'text', text, verbatim: true },
    };
  }
  const edited: NodeFacts = { ...facts, paths };
  const running = facts.components.kubelet;
  const words = reconstructKubeletCommandLine(edited).words;
  if (!running || !words) return edited;
  const restarted: ComponentProcess = { ...running, argv: words.map((w) => w.text) };
  const processes = facts.processes.map((p) => (p.pid === running.pid ? restarted : p));
  const components = { ...facts.components, kubelet: restarted };
  return { ...edited, processes, components, resolvedPaths: resolvePaths({ paths, listings: facts.listings, components }) };
}
