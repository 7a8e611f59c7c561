import { readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { runCommand } from './command-runner.js';
import { bridgeName, hostAddress, MAX_INDEX, netnsPrefix, vethName, vethPrefix } from './lab-layout.js';

/**
 * The lab's host-side network: one bridge per instance with the host at .1,
 * and per node a named network namespace joined to the bridge by a veth
 * pair (the node end is renamed eth0 and configured by node-init). No NAT,
 * no routes: the namespaces reach the lab subnet and nothing else.
 */

async function linkExists(name: string): Promise<boolean> {
  const r = await runCommand(['ip', 'link', 'show', 'dev', name], { check: false });
  return r.code === 0;
}

async function disableIpv6(ifname: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`, '1').catch(() => undefined);
}

/** Creates the bridge of `index`; false if it exists already (the bridge is the instance's lock on its index). */
export async function createBridge(index: number): Promise<boolean> {
  const br = bridgeName(index);
  const r = await runCommand(['ip', 'link', 'add', br, 'type', 'bridge'], { check: false });
  if (r.code !== 0) {
    if (/exists/i.test(r.stderr)) return false;
    throw new Error(`ip link add ${br} type bridge: ${r.stderr.trim()}`);
  }
  await disableIpv6(br);
  await runCommand(['ip', 'addr', 'add', `${hostAddress(index, 1)}/24`, 'dev', br]);
  await runCommand(['ip', 'link', 'set', br, 'up']);
  return true;
}

/** Allocates the lowest free index >= 1 by creating its bridge. */
export async function allocateIndex(): Promise<number> {
  for (let i = 1; i <= MAX_INDEX; i++) {
    if (await linkExists(bridgeName(i))) continue;
    if (await createBridge(i)) return i;
  }
  throw new Error('no free lab index (all 511 /24s of 198.18.0.0/15 are in use)');
}

export interface NetnsPlan {
  netns: string;
  octet: number;
}

/** Creates the namespaces and veth pairs of all nodes with one `ip -batch`. */
export async function createNodeLinks(index: number, plans: readonly NetnsPlan[]): Promise<void> {
  const br = bridgeName(index);
  const lines: string[] = [];
  for (const p of plans) {
    const veth = vethName(index, p.octet);
    lines.push(`netns add ${p.netns}`);
    lines.push(`link add ${veth} type veth peer name eth0 netns ${p.netns}`);
    lines.push(`link set ${veth} master ${br} up`);
  }
  await runCommand(['ip', '-batch', '-'], { input: lines.join('\n') + '\n' });
  await Promise.all(plans.map((p) => disableIpv6(vethName(index, p.octet))));
}

/** Named namespaces of an instance (from /run/netns). */
export async function listInstanceNetns(index: number): Promise<string[]> {
  const prefix = netnsPrefix(index);
  try {
    return (await readdir('/run/netns')).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** The inode that identifies a named network namespace (as in /proc/PID/ns/net -> net:[inode]). */
export async function netnsInode(name: string): Promise<number | undefined> {
  try {
    return (await stat(`/run/netns/${name}`)).ino;
  } catch {
    return undefined;
  }
}

/** PIDs of all processes whose network namespace is one of `inodes`. */
export async function pidsInNetns(inodes: ReadonlySet<number>): Promise<number[]> {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const link = await readlink(`/proc/${entry}/ns/net`);
      const m = /^net:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(Number(m[1]))) pids.push(Number(entry));
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return pids;
}

/** Deletes the namespaces, leftover veths and the bridge of an instance (each step tolerates absence). */
export async function deleteInstanceNetwork(index: number, netns: readonly string[]): Promise<void> {
  if (netns.length > 0) {
    await runCommand(['ip', '-force', '-batch', '-'], { input: netns.map((n) => `netns del ${n}`).join('\n') + '\n', check: false });
  }
  const links = await runCommand(['ip', '-o', 'link', 'show'], { check: false });
  const prefix = vethPrefix(index);
  const leftovers = links.stdout
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n.startsWith(prefix));
  for (const l of leftovers) await runCommand(['ip', 'link', 'del', l], { check: false });
  if (await linkExists(bridgeName(index))) await runCommand(['ip', 'link', 'del', bridgeName(index)], { check: false });
}

export { linkExists };
