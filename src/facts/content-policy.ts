/**
 * Which file contents leave the node, and in what form. This is the one rule;
 * the gathering script is generated from these constants and the parser
 * re-checks the security-relevant half of it.
 *
 * A file's content is gathered only when ALL of these hold:
 *  1. it was named as configuration: a kube-bench candidate of a config
 *     variable (CONFIG_CANDIDATE_LISTS, admin.conf, super-admin.conf), the
 *     kubelet unit or an environment file, the value of a config flag of a
 *     running component (FILE_FLAGS role `config`), an `EnvironmentFile=`
 *     of the kubelet unit, or an entry of a listed directory whose class
 *     allows it (`manifests`: not a dot-file, MANIFEST_EXTENSIONS;
 *     `conf-d`: DROP_IN_EXTENSIONS);
 *  2. it is a regular file (after following symlinks) of at most
 *     MAX_CONTENT_BYTES;
 *  3. its name does not look like key material (KEY_FILE_PATTERNS);
 *  4. it contains no private key (PRIVATE_KEY_MARKERS, checked on the node
 *     after redaction: a file that still holds one is withheld whole).
 * What is shipped has secret values redacted on the node (REDACTED_KEYS,
 * embedded base64 PEM blocks, and `NAME=value` assignments of a credential
 * in environment files and `Environment=` lines: assignment-redaction.ts), so
 * kubeconfigs, encryption configs and env files arrive without their credentials. cis-fix never needs those values: it changes
 * modes, owners and flags, and generates new secrets on the node.
 */

/** Larger files are stat'ed and hashed but their content is not gathered. */
export const MAX_CONTENT_BYTES = 1024 * 1024;

/**
 * Shell glob patterns (`*` only) on a file's basename that mark key material.
 * A name that matches is never read, whatever its origin.
 */
export const KEY_FILE_PATTERNS: readonly string[] = [
  '*.key',
  '*-key.pem',
  '*_key.pem',
  '*.key.pem',
  'kubelet-client*.pem',
  'kubelet-server*.pem',
  '*.p12',
  '*.pfx',
];

/** Entries of a `manifests` listing whose content is gathered (the kubelet reads these). */
export const MANIFEST_EXTENSIONS: readonly string[] = ['yaml', 'yml', 'json', 'manifest'];

/** Entries of a `conf-d` listing (systemd or kubelet drop-ins) whose content is gathered. */
export const DROP_IN_EXTENSIONS: readonly string[] = ['conf'];

/**
 * YAML/JSON keys whose values are credentials in kubeconfigs
 * (users[].user.*, auth-provider config) and EncryptionConfiguration
 * (providers[].*.keys[].secret), and RKE2/k3s config.yaml's tokens, S3 keys
 * and datastore endpoint. Their values are replaced by REDACTION_MARK.
 */
export const REDACTED_KEYS: readonly string[] = [
  'token',
  'password',
  'secret',
  'client-secret',
  'id-token',
  'refresh-token',
  'access-token',
  'client-key-data',
  // RKE2/k3s config.yaml options that hold credentials (a file with one is then not verbatim, so never edited or put in a plan).
  'agent-token',
  'etcd-s3-access-key',
  'etcd-s3-secret-key',
  'datastore-endpoint',
];

export const REDACTION_MARK = '<redacted by cis-fix>';

/**
 * Base64 of "-----BEGIN ": the start of every PEM block embedded in a
 * kubeconfig (`client-key-data`, `certificate-authority-data`). Such blobs
 * are redacted whole; cis-fix needs neither certificates nor keys as text.
 */
export const EMBEDDED_PEM_PREFIX = 'LS0tLS1CRUdJTi';

/**
 * A file containing any of these after redaction is withheld whole: the
 * literal PEM label, and "PRIVATE KEY" base64-encoded at each of the three
 * byte alignments (the stable middle 12 characters of each).
 */
export const PRIVATE_KEY_MARKERS: readonly string[] = ['PRIVATE KEY', 'UFJJVkFURSBL', 'SVZBVEUgS0VZ', 'UklWQVRFIEtF'];

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

const KEY_FILE_REGEXPS = KEY_FILE_PATTERNS.map(globToRegExp);

/** True when `path`'s basename marks key material (rule 3). */
export function isKeyFileName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return KEY_FILE_REGEXPS.some((re) => re.test(base));
}

/** True when `text` still holds private key material (rule 4). */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_MARKERS.some((marker) => text.includes(marker));
}
