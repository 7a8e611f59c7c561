import type { LabState } from '../../lab/lab.js';
import { nodeExec } from '../../lab/lab.js';

/** mode, owner and content hash of one path on a node. */
export interface PathSnapshot {
  readonly mode: string;
  readonly owner: string;
  readonly sha256: string;
}

/**
 * Every file cis-fix may touch on a node (kubeadm's trees, the kubelet unit,
 * the etcd data directory itself but not its changing contents).
 */
export async function snapshotNode(lab: LabState, node: string): Promise<Map<string, PathSnapshot>> {
  const script = `
for p in $(find /etc/kubernetes /var/lib/kubelet /usr/lib/systemd/system/kubelet.service /usr/lib/systemd/system/kubelet.service.d /etc/default/kubelet -xdev 2>/dev/null) /var/lib/etcd; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  h=-; if [ -f "$p" ] && [ ! -L "$p" ]; then h=$(sha256sum "$p" | cut -d' ' -f1); fi
  printf '%s|%s|%s\\n' "$(stat -c '%a|%U:%G' "$p")" "$h" "$p"
done`;
  const result = await nodeExec(lab, node, ['/bin/sh', '-c', script]);
  if (result.code !== 0) throw new Error(`snapshot of ${node} failed: ${result.stderr}`);
  const map = new Map<string, PathSnapshot>();
  for (const line of result.stdout.trim().split('\n')) {
    const [mode, owner, sha256, ...path] = line.split('|');
    map.set(path.join('|'), { mode: mode!, owner: owner!, sha256: sha256! });
  }
  return map;
}

export async function snapshotAll(lab: LabState): Promise<Map<string, Map<string, PathSnapshot>>> {
  return new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await snapshotNode(lab, n.name)] as const)));
}

/** Paths whose mode, owner or content differ: "node:path". */
export function differences(a: Map<string, Map<string, PathSnapshot>>, b: Map<string, Map<string, PathSnapshot>>): string[] {
  const out: string[] = [];
  for (const [node, paths] of a) {
    const other = b.get(node) ?? new Map();
    for (const path of new Set([...paths.keys(), ...other.keys()])) {
      if (JSON.stringify(paths.get(path)) !== JSON.stringify(other.get(path))) out.push(`${node}:${path}`);
    }
  }
  return out.sort();
}
