import type { ListingSpec } from './listing-specs.js';

/**
 * k3s files that k3s-cis-1.9 checks at fixed paths outside kube-bench's
 * candidate lists (1.1.13/1.1.14 the admin kubeconfig, 1.1.19–1.1.21 the
 * server's TLS directory). Gathered only on a node that shows k3s
 * (journal-lines.ts JOURNAL_MARKER_PATHS), together with its journal, so a
 * kubeadm node pays nothing for them.
 */
export const K3S_SERVER_DIR = '/var/lib/rancher/k3s/server';
export const K3S_TLS_DIR = `${K3S_SERVER_DIR}/tls`;

/** Stat'ed (and hashed): never their content, they hold credentials. */
export const K3S_STAT_FILES: readonly string[] = [`${K3S_SERVER_DIR}/cred/admin.kubeconfig`];

/** The TLS directory: its certificates and keys, and those of etcd/ one level down. */
export const K3S_LISTINGS: readonly ListingSpec[] = [{ dir: K3S_TLS_DIR, depth: 2, listing: 'plain' }];
