import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command-runner.js';

/**
 * The lab's PKI, made with openssl the way kubeadm lays it out. Keys are
 * ECDSA P-256 (kubeadm's `encryptionAlgorithm: ECDSA-P256`) because RSA key
 * generation would dominate the time to bring up 100 nodes. Key files are
 * written 0600 and certificates 0644 (openssl's default umask is not trusted:
 * callers chmod what they place into nodes).
 */
export interface KeyPair {
  crt: string;
  key: string;
}

export type CertUsage = 'server' | 'client' | 'server-client';

export interface CertRequest {
  cn: string;
  organizations?: readonly string[];
  /** "DNS:name" / "IP:1.2.3.4" entries. */
  sans?: readonly string[];
  usage: CertUsage;
  days?: number;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function subject(cn: string, organizations: readonly string[] = []): string {
  return organizations.map((o) => `/O=${o}`).join('') + `/CN=${cn}`;
}

const EKU: Record<CertUsage, string> = {
  server: 'serverAuth',
  client: 'clientAuth',
  'server-client': 'serverAuth,clientAuth',
};

/** Creates a self-signed CA (10 years) at out.crt/out.key. */
export async function createCa(out: KeyPair, cn: string): Promise<void> {
  await mkdir(path.dirname(out.crt), { recursive: true });
  await mkdir(path.dirname(out.key), { recursive: true });
  await runCommand([
    'openssl',
    'req',
    '-x509',
    ...CURVE,
    '-keyout',
    out.key,
    '-out',
    out.crt,
    '-subj',
    subject(cn),
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
  ]);
}

/** Creates a leaf certificate signed by `ca` (or self-signed when ca is undefined), valid 1 year. */
export async function createCert(out: KeyPair, ca: KeyPair | undefined, req: CertRequest): Promise<void> {
  await mkdir(path.dirname(out.crt), { recursive: true });
  await mkdir(path.dirname(out.key), { recursive: true });
  const argv = [
    'openssl',
    'req',
    '-x509',
    ...CURVE,
    '-keyout',
    out.key,
    '-out',
    out.crt,
    '-subj',
    subject(req.cn, req.organizations),
    '-days',
    String(req.days ?? 365),
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext',
    `extendedKeyUsage=${EKU[req.usage]}`,
  ];
  if (req.sans && req.sans.length > 0) argv.push('-addext', `subjectAltName=${req.sans.join(',')}`);
  if (ca) argv.push('-CA', ca.crt, '-CAkey', ca.key);
  await runCommand(argv);
}

/** Creates a service-account signing key pair: private key at keyFile, public key (PEM) at pubFile. */
export async function createServiceAccountKey(keyFile: string, pubFile: string): Promise<void> {
  await mkdir(path.dirname(keyFile), { recursive: true });
  await runCommand(['openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
  await runCommand(['openssl', 'pkey', '-in', keyFile, '-pubout', '-out', pubFile]);
}

export async function readPair(pair: KeyPair): Promise<{ crt: string; key: string }> {
  return { crt: await readFile(pair.crt, 'utf8'), key: await readFile(pair.key, 'utf8') };
}

export function pairAt(dir: string, base: string): KeyPair {
  return { crt: path.join(dir, `${base}.crt`), key: path.join(dir, `${base}.key`) };
}
