import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Names and addresses of a lab instance. Everything the lab creates on the
 * host is derived from the instance's index (0 for `default`, 1..511 for the
 * others, allocated at `up` and stored in lab.json):
 *   subnet  198.18.0.0/15 split into /24s: index i -> 198.18.0.0 + i*256 /24
 *   bridge  cisfix<i>            (host side, address .1)
 *   netns   cisfix<i>-<node>     (one per node and one for the bastion)
 *   veth    cfv<i>-<last octet>  (host end; the node end is eth0)
 */
export const DEFAULT_INSTANCE = 'default';
export const MAX_INDEX = 511;
export const BASTION_NAME = 'bastion';
export const FIRST_NODE_OCTET = 10;
export const MAX_NODES = 254 - FIRST_NODE_OCTET + 1;

export const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const NODE_CODE_DIR = path.join(LAB_DIR, 'node');
export const REPO_DIR = path.resolve(LAB_DIR, '..', '..');
export const BUILD_DIR = path.join(LAB_DIR, '.build');

export function validateInstanceName(name: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/.test(name)) {
    throw new Error(`invalid lab instance name "${name}": use 1-24 characters a-z, 0-9 and "-", starting and ending with a letter or digit`);
  }
  return name;
}

/** Where all instances keep their state: $CIS_FIX_LAB_DIR, else /var/lib/cis-fix-lab. */
export function stateRoot(): string {
  const env = process.env.CIS_FIX_LAB_DIR;
  return env && env.length > 0 ? path.resolve(env) : '/var/lib/cis-fix-lab';
}

/** The state dir of one instance: <stateRoot>/<instance>. */
export function instanceDir(instance: string): string {
  return path.join(stateRoot(), validateInstanceName(instance));
}

export function subnetBase(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) throw new Error(`lab index out of range: ${index}`);
  return `198.${18 + Math.floor(index / 256)}.${index % 256}`;
}

export function subnetCidr(index: number): string {
  return `${subnetBase(index)}.0/24`;
}

export function hostAddress(index: number, octet: number): string {
  return `${subnetBase(index)}.${octet}`;
}

export function bridgeName(index: number): string {
  return `cisfix${index}`;
}

export function netnsPrefix(index: number): string {
  return `cisfix${index}-`;
}

export function netnsName(index: number, node: string): string {
  return `${netnsPrefix(index)}${node}`;
}

export function vethName(index: number, octet: number): string {
  return `cfv${index}-${octet}`;
}

export function vethPrefix(index: number): string {
  return `cfv${index}-`;
}
