import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command-runner.js';
import { BUILD_DIR, NODE_CODE_DIR } from './lab-layout.js';

/** Debian package -> a file it installs; the lab needs all of them on the host. */
const REQUIRED: ReadonlyArray<readonly [pkg: string, file: string]> = [
  ['openssh-server', '/usr/sbin/sshd'],
  ['openssh-client', '/usr/bin/ssh-keygen'],
  ['sudo', '/usr/bin/sudo'],
  ['etcd-server', '/usr/bin/etcd'],
  ['iproute2', '/usr/sbin/ip'],
  ['openssl', '/usr/bin/openssl'],
  ['curl', '/usr/bin/curl'],
  ['procps', '/usr/bin/ps'],
  ['tini', '/usr/bin/tini'],
  ['gcc', '/usr/bin/gcc'],
  ['util-linux', '/usr/bin/nsenter'],
];

export type Progress = (message: string) => void;

/** Installs the Debian packages the lab needs that are missing (apt-get update only if a first install fails). */
export async function ensureHostPackages(progress: Progress): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces, mounts, sshd)');
  const missing = REQUIRED.filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  progress(`installing missing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing];
  const first = await runCommand(install, { env, check: false });
  if (first.code !== 0) {
    progress('apt-get install failed; running apt-get update and retrying');
    await runCommand(['apt-get', 'update', '-q'], { env });
    await runCommand(install, { env });
  }
  const still = REQUIRED.filter(([, file]) => !existsSync(file));
  if (still.length > 0) throw new Error(`still missing after install: ${still.map(([p, f]) => `${f} (${p})`).join(', ')}`);
}

/**
 * Compiles node/kube-sleeper.c once (cached by source hash in test/lab/.build)
 * and returns the binary's path.
 */
export async function buildSleeper(progress: Progress): Promise<string> {
  const source = path.join(NODE_CODE_DIR, 'kube-sleeper.c');
  const hash = createHash('sha256')
    .update(await readFile(source))
    .digest('hex')
    .slice(0, 12);
  const binary = path.join(BUILD_DIR, `kube-sleeper-${hash}`);
  if (existsSync(binary)) return binary;
  progress('compiling kube-sleeper');
  await mkdir(BUILD_DIR, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  await runCommand(['gcc', '-O2', '-s', '-o', tmp, source]);
  await rename(tmp, binary);
  return binary;
}
