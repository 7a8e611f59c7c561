/**
 * The real gathering script, run by /bin/dash and /bin/bash through
 * LocalTransport against fake node trees (real files, modes and owners;
 * processes from a fake proc dir). Needs root (chown) like the rest of the suite.
 */

import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PathFacts, PresentPath } from '../../../src/facts/types.js';
import { FakeNode } from './support/fake-node.js';
import { CERT, KUBELET_CONFIG, kubeadmControlPlane, PIDS, RSA_KEY } from './support/kubeadm-node.js';
import { GATHER_SCRIPT } from '../../../src/facts/gather-script.js';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import { LocalTransport } from '../../../src/transport/local.js';
import { buildCommand } from '../../../src/transport/shell-quote.js';
import { decodedWire, gatherFrom, rawOutput, SHELLS } from './support/run-script.js';

const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));

// Each test runs real shells; allow for a busy machine.
jest.setTimeout(60_000);

const nodes: FakeNode[] = [];
function track(node: FakeNode): FakeNode {
  nodes.push(node);
  return node;
}
afterEach(() => {
  for (const node of nodes.splice(0)) node.remove();
});

function present(facts: PathFacts | undefined): PresentPath {
  if (!facts?.exists) throw new Error(`expected ${facts?.path ?? 'path'} to exist`);
  return facts;
}

function text(facts: PathFacts | undefined): string {
  const p = present(facts);
  if (p.content.kind !== 'text') throw new Error(`${p.path}: content is ${p.content.kind}`);
  return p.content.text;
}

describe.each(SHELLS)('the gathering script under %s', (shell) => {
  it('describes a kubeadm control-plane node: processes, roles, paths and modes', async () => {
    const node = track(kubeadmControlPlane());
    const facts = await gatherFrom(node, shell);

    expect(facts.node).toBe('cp-1');
    expect(facts.roles.roles).toEqual(['control-plane', 'etcd']);
    expect(facts.components['kube-controller-manager']?.pid).toBe(PIDS.controllerManager);
    expect(facts.components['kube-controller-manager']?.comm).toBe('kube-controller');
    expect(facts.components['kube-apiserver']?.argv).toContain('--authorization-mode=Node,RBAC');
    expect(facts.processes.map((p) => p.component)).not.toContain(undefined);
    expect(facts.components.etcd?.environment).toEqual({
      ETCD_QUOTA_BACKEND_BYTES: '8589934592',
      ETCD_INITIAL_CLUSTER_TOKEN: '<redacted by cis-fix>',
    });
    expect(facts.components.etcd?.auditEnv).toEqual({
      lines: ['ETCD_QUOTA_BACKEND_BYTES=8589934592', 'ETCD_INITIAL_CLUSTER_TOKEN=<redacted by cis-fix>'],
      totalLines: 3,
    });

    const manifest = present(facts.paths['/etc/kubernetes/manifests/kube-apiserver.yaml']);
    expect(manifest).toMatchObject({ type: 'file', mode: '600', uid: 0, gid: 0, user: 'root', group: 'root' });
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.content).toMatchObject({ kind: 'text', verbatim: true });
    expect(text(facts.paths['/var/lib/kubelet/config.yaml'])).toBe(KUBELET_CONFIG);

    expect(facts.resolvedPaths.apiserverManifest).toMatchObject({ path: '/etc/kubernetes/manifests/kube-apiserver.yaml', source: 'candidate' });
    expect(facts.resolvedPaths.etcdDataDir).toMatchObject({ path: '/var/lib/etcd', source: 'process-flag', exists: true });
    expect(facts.resolvedPaths.kubeletConfig).toMatchObject({ path: '/var/lib/kubelet/config.yaml', source: 'process-flag' });
    expect(facts.resolvedPaths.kubeletCaFile).toMatchObject({ path: '/etc/kubernetes/pki/ca.crt', source: 'config-file' });
    // pkgs.k8s.io layout: cis-fix finds the real drop-in, kube-bench falls back to its default.
    expect(facts.resolvedPaths.kubeletService).toMatchObject({
      path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      kubeBenchPath: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    });
    expect(facts.resolvedPaths.cniFiles).toEqual(['/var/lib/cni/networks/cbr0/10.244.0.2']);

    expect(facts.listings['/etc/kubernetes/pki']?.entries).toContain('/etc/kubernetes/pki/etcd/server.key');
    expect(facts.listings['/var/lib/etcd']).toMatchObject({ exists: true, listing: 'data' });
    expect(present(facts.paths['/var/lib/etcd'])).toMatchObject({ type: 'dir', mode: '700' });
    expect(facts.kubeletService.environmentFiles.map((e) => [e.path, e.exists])).toEqual([
      ['/var/lib/kubelet/kubeadm-flags.env', true],
      ['/etc/default/kubelet', false],
      ['/etc/sysconfig/kubelet', false],
    ]);
    expect(facts.users).toContainEqual({ name: 'etcd', uid: 998, gid: 998 });
    expect(facts.host.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(facts.truncated).toBe(false);
  });

  it('never sends a credential assigned in an environment file or a unit drop-in; such a file is not verbatim', async () => {
    const node = track(kubeadmControlPlane());
    node.file('/etc/systemd/system/kubelet.service.d/20-proxy.conf', {
      content: '[Service]\nEnvironment="HTTPS_PROXY=http://proxy:3128" "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI"\n',
      mode: 0o644,
    });
    node.file('/etc/default/etcd', { content: 'ETCD_NAME=cp-1\nETCDCTL_PASSWORD=pa55w0rd\nETCD_INITIAL_CLUSTER_TOKEN=k8s_etcd\n', mode: 0o600 });
    const wire = decodedWire(await rawOutput(node, shell));
    expect(wire).not.toContain('wJalrXUtnFEMI');
    expect(wire).not.toContain('pa55w0rd');

    const facts = await gatherFrom(node, shell);
    expect(present(facts.paths['/etc/systemd/system/kubelet.service.d/20-proxy.conf']).content).toEqual({
      kind: 'text',
      text: '[Service]\nEnvironment="HTTPS_PROXY=http://proxy:3128" "AWS_SECRET_ACCESS_KEY=<redacted by cis-fix>"\n',
      verbatim: false,
    });
    expect(text(facts.paths['/etc/default/etcd'])).toBe('ETCD_NAME=cp-1\nETCDCTL_PASSWORD=<redacted by cis-fix>\nETCD_INITIAL_CLUSTER_TOKEN=k8s_etcd\n');
    expect(facts.notes.filter((n) => n.includes('should have'))).toEqual([]);
  });

  it('never sends private key material, in any form, and redacts kubeconfig credentials', async () => {
    const node = track(kubeadmControlPlane());
    // Key material where only a config file is expected: a manifest and a --config file.
    node.file('/etc/kubernetes/manifests/innocent.yaml', { content: `apiVersion: v1\ndata: |\n${RSA_KEY}`, mode: 0o600 });
    node.file('/etc/kubernetes/encryption.yaml', {
      content:
        'kind: EncryptionConfiguration\nresources:\n- providers:\n  - aescbc:\n      keys:\n      - name: key1\n        secret: c2VjcmV0aXNzaW1vc2VjcmV0aXNzaW1vMTIzNDU2Nzg=\n',
      mode: 0o600,
    });
    node.file('/etc/kubernetes/token.json', { content: '{"kind":"Config","users":[{"user":{"token":"abcdef.0123456789abcdef"}}]}', mode: 0o600 });
    node.process(1000, {
      comm: 'kube-apiserver',
      argv: [
        'kube-apiserver',
        '--encryption-provider-config=/etc/kubernetes/encryption.yaml',
        '--authentication-token-webhook-config-file=/etc/kubernetes/token.json',
      ],
    });
    const wire = decodedWire(await rawOutput(node, shell));

    expect(wire).not.toContain('PRIVATE KEY');
    expect(wire).not.toContain('secretsecret'); // the key body
    expect(wire).not.toContain(Buffer.from(RSA_KEY).toString('base64').slice(0, 40));
    expect(wire).not.toContain('c2VjcmV0aXNzaW1v'); // the aescbc key
    expect(wire).not.toContain('abcdef.0123456789abcdef'); // the bearer token

    const facts = await gatherFrom(node, shell);
    expect(present(facts.paths['/etc/kubernetes/pki/ca.key']).content).toEqual({ kind: 'not-gathered' });
    expect(present(facts.paths['/etc/kubernetes/pki/ca.key']).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(present(facts.paths['/etc/kubernetes/manifests/innocent.yaml']).content).toEqual({ kind: 'withheld', reason: 'private-key' });
    const admin = text(facts.paths['/etc/kubernetes/admin.conf']);
    expect(admin).toContain('client-key-data: <redacted by cis-fix>');
    expect(admin).toContain('server: https://192.0.2.10:6443');
    expect(present(facts.paths['/etc/kubernetes/admin.conf']).content).toMatchObject({ verbatim: false });
    const encryption = text(facts.paths['/etc/kubernetes/encryption.yaml']);
    expect(encryption).toContain('- aescbc:');
    expect(encryption).toContain('secret: <redacted by cis-fix>');
    expect(text(facts.paths['/etc/kubernetes/token.json'])).toBe('{"kind":"Config","users":[{"user":{"token":"<redacted by cis-fix>"}}]}\n');
    expect(facts.resolvedPaths.encryptionProviderConfig).toMatchObject({ path: '/etc/kubernetes/encryption.yaml', exists: true });
  });

  it('keeps file names with spaces, newlines, quotes and shell syntax intact', async () => {
    const node = track(new FakeNode());
    const names = ['with space.crt', 'new\nline.crt', `quote's "double".crt`, '$(touch pwned).crt', '-dash.crt', '\\back\\slash.crt', 'ünï.crt'];
    for (const name of names) node.file(`/etc/kubernetes/pki/${name}`, { content: CERT, mode: 0o644 });
    node.file('/etc/kubernetes/manifests/.hidden file.yaml', 'kind: Pod\n');
    node.file('/etc/kubernetes/manifests/kube-apiserver.yaml.bak', 'kind: Pod\n');
    const odd = `/etc/kube let/it's "odd"\nconfig.yaml`;
    node.file(odd, { content: 'kind: KubeletConfiguration\n', mode: 0o600 });
    node.process(10, { comm: 'kubelet', argv: ['/usr/bin/kubelet', '--config', odd] });

    const facts = await gatherFrom(node, shell);

    expect(facts.listings['/etc/kubernetes/pki']?.entries).toEqual(names.map((n) => `/etc/kubernetes/pki/${n}`).sort());
    for (const name of names) expect(present(facts.paths[`/etc/kubernetes/pki/${name}`]).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(facts.listings['/etc/kubernetes/manifests']?.entries).toEqual([
      '/etc/kubernetes/manifests/.hidden file.yaml',
      '/etc/kubernetes/manifests/kube-apiserver.yaml.bak',
    ]);
    expect(facts.resolvedPaths.kubeletConfig).toMatchObject({ path: odd, source: 'process-flag', exists: true });
    expect(text(facts.paths[odd])).toBe('kind: KubeletConfiguration\n');
    expect(existsSync('pwned')).toBe(false);
    expect(existsSync(join(node.root, 'etc/kubernetes/pki/pwned'))).toBe(false);
  });

  it('gathers RKE2/k3s config.yaml.d drop-ins whatever the case of .yaml/.yml, as k3s reads them (util.HasSuffixI)', async () => {
    const node = track(new FakeNode());
    node.file('/etc/rancher/rke2/config.yaml', { content: 'node-name: a\n', mode: 0o600 });
    for (const name of ['10-a.yaml', '20-b.YAML', '30-c.Yml', '40-d.txt'])
      node.file(`/etc/rancher/rke2/config.yaml.d/${name}`, { content: 'kubelet-arg: [a=b]\n', mode: 0o600 });

    const facts = await gatherFrom(node, shell);

    for (const name of ['10-a.yaml', '20-b.YAML', '30-c.Yml'])
      expect(text(facts.paths[`/etc/rancher/rke2/config.yaml.d/${name}`])).toBe('kubelet-arg: [a=b]\n');
  });

  it("sends the environment lines kube-bench can read, in order, and never a credential's value", async () => {
    const node = track(new FakeNode());
    const environ = [
      'PATH=/usr/bin',
      'ETCD_CERT_FILE=/etc/kubernetes/pki/etcd/server.crt',
      'ETCD_KEY_FILE=/etc/kubernetes/pki/etcd/server.key',
      'MY_ETCD_AUTO_TLS=true', // kube-bench's search is unanchored: this line counts for ETCD_AUTO_TLS
      'ETCD_PEER_CLIENT_CERT_AUTH=true\nETCD_TRUSTED_CA_FILE=/in/a/value', // a value spanning two lines
      'ETCD_INITIAL_CLUSTER_TOKEN=tok3n',
      'etcd_root_password=pa55',
      'ETCD_ENCRYPTION_KEY=k3y',
      'API_KEY_DATA=k3ydata',
      'KUBECONFIG=/etc/kubernetes/admin.conf',
      'HOME=/root',
      'ETCD_CERT_FILE=/second/occurrence',
    ];
    node.process(50, { comm: 'etcd', argv: ['etcd', '--name=a'], environ });
    node.process(60, { comm: 'kube-apiserver', argv: ['kube-apiserver'], environ: ['KUBE_FEATURE=x', 'SECRET_THING=s', 'OTHER=y'] });
    const wire = decodedWire(await rawOutput(node, shell));
    for (const secret of ['tok3n', 'pa55', 'k3y', 'k3ydata']) expect(wire).not.toContain(secret);

    const facts = await gatherFrom(node, shell);
    expect(facts.components.etcd?.auditEnv).toEqual({
      lines: [
        'ETCD_CERT_FILE=/etc/kubernetes/pki/etcd/server.crt',
        'ETCD_KEY_FILE=/etc/kubernetes/pki/etcd/server.key',
        'MY_ETCD_AUTO_TLS=true',
        'ETCD_PEER_CLIENT_CERT_AUTH=true',
        'ETCD_TRUSTED_CA_FILE=/in/a/value',
        'ETCD_INITIAL_CLUSTER_TOKEN=<redacted by cis-fix>',
        'ETCD_ENCRYPTION_KEY=<redacted by cis-fix>',
        'KUBECONFIG=/etc/kubernetes/admin.conf',
        'ETCD_CERT_FILE=/second/occurrence',
      ],
      totalLines: 13,
    });
    expect(facts.components.etcd?.environment.ETCD_CERT_FILE).toBe('/etc/kubernetes/pki/etcd/server.crt');
    expect(facts.components['kube-apiserver']?.auditEnv).toEqual({ lines: ['KUBE_FEATURE=x'], totalLines: 3 });
  });

  it('says which file names are not valid UTF-8, and still reports the file', async () => {
    const node = track(new FakeNode());
    node.file('/etc/kubernetes/pki/ok.crt', { content: CERT, mode: 0o644 });
    // A name a JavaScript string cannot hold: byte 0xff.
    const dir = Buffer.from(join(node.root, 'etc/kubernetes/pki/'));
    writeFileSync(Buffer.concat([dir, Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x63, 0x72, 0x74])]), CERT, { mode: 0o666 });

    const facts = await gatherFrom(node, shell);
    expect(facts.listings['/etc/kubernetes/pki']?.entries).toEqual(['/etc/kubernetes/pki/bad\ufffd.crt', '/etc/kubernetes/pki/ok.crt']);
    expect(facts.notes.filter((n) => n.includes('not valid UTF-8'))).toEqual([
      '"/etc/kubernetes/pki/bad\ufffd.crt": the name is not valid UTF-8, so cis-fix cannot name this file exactly (a change to it is refused as stale): rename it by hand',
    ]);
  });

  it('follows the running kubelet to a --config at a non-default path and to the CA file that config names', async () => {
    const node = track(new FakeNode());
    node.file('/var/lib/kubelet/config.yaml', { content: 'kind: KubeletConfiguration\n', mode: 0o644 }); // kube-bench's pick, unused
    node.file('/opt/k8s/kubelet/settings.yaml', {
      content: 'kind: KubeletConfiguration\nauthentication:\n  x509:\n    clientCAFile: "/srv/pki/kubelet-ca.crt"\nstaticPodPath: /opt/k8s/static\n',
      mode: 0o600,
    });
    node.file('/srv/pki/kubelet-ca.crt', { content: CERT, mode: 0o640 });
    node.file('/opt/k8s/static/kube-apiserver.yaml', { content: 'kind: Pod\n', mode: 0o600 });
    node.file('/opt/k8s/kubelet.kubeconfig', { content: 'kind: Config\n', mode: 0o600 });
    node.process(4242, {
      comm: 'kubelet',
      argv: ['/usr/local/bin/kubelet', '--config', '/opt/k8s/kubelet/settings.yaml', '--kubeconfig=/opt/k8s/kubelet.kubeconfig'],
    });

    const facts = await gatherFrom(node, shell);

    expect(facts.roles.roles).toEqual(['worker']);
    expect(facts.resolvedPaths.kubeletConfig).toMatchObject({
      path: '/opt/k8s/kubelet/settings.yaml',
      source: 'process-flag',
      origin: 'kubelet --config',
      kubeBenchPath: '/var/lib/kubelet/config.yaml',
    });
    expect(facts.resolvedPaths.kubeletKubeconfig).toMatchObject({ path: '/opt/k8s/kubelet.kubeconfig', source: 'process-flag', exists: true });
    expect(facts.resolvedPaths.kubeletCaFile).toMatchObject({ path: '/srv/pki/kubelet-ca.crt', source: 'config-file', exists: true });
    expect(present(facts.paths['/srv/pki/kubelet-ca.crt'])).toMatchObject({ mode: '640', type: 'file' });
    expect(facts.listings['/opt/k8s/static']?.entries).toEqual(['/opt/k8s/static/kube-apiserver.yaml']);
    expect(facts.resolvedPaths.apiserverManifest).toMatchObject({ path: '/opt/k8s/static/kube-apiserver.yaml', source: 'config-file' });
  });

  it('finds a RHEL-style kubelet: unit under /usr/lib and flags in /etc/sysconfig/kubelet', async () => {
    const node = track(new FakeNode());
    node.file(
      '/usr/lib/systemd/system/kubelet.service',
      '[Service]\nEnvironmentFile=-/etc/sysconfig/kubelet\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n',
    );
    node.file('/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', '[Service]\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\n');
    node.file('/etc/systemd/system/kubelet.service.d/20-extra.conf', '[Service]\n  EnvironmentFile = /etc/kubernetes/kubelet-extra.env\n');
    node.file('/etc/sysconfig/kubelet', { content: 'KUBELET_EXTRA_ARGS=--hostname-override=node-7\n', mode: 0o644 });
    node.file('/etc/kubernetes/kubelet-extra.env', { content: 'KUBELET_EXTRA=1\n', mode: 0o600 });
    node.process(300, { comm: 'kubelet', argv: ['/usr/bin/kubelet', '--hostname-override=node-7'] });

    const facts = await gatherFrom(node, shell);

    expect(facts.kubeletService.unitFile).toBe('/usr/lib/systemd/system/kubelet.service');
    expect(facts.kubeletService.dropIns.map((d) => d.path)).toEqual([
      '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      '/etc/systemd/system/kubelet.service.d/20-extra.conf',
    ]);
    expect(facts.kubeletService.environmentFiles).toEqual([
      { path: '/etc/sysconfig/kubelet', optional: true, declaredIn: '/usr/lib/systemd/system/kubelet.service', exists: true },
      { path: '/var/lib/kubelet/kubeadm-flags.env', optional: true, declaredIn: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', exists: false },
      { path: '/etc/kubernetes/kubelet-extra.env', optional: false, declaredIn: '/etc/systemd/system/kubelet.service.d/20-extra.conf', exists: true },
      { path: '/etc/default/kubelet', optional: true, declaredIn: null, exists: false },
    ]);
    expect(text(facts.paths['/etc/sysconfig/kubelet'])).toBe('KUBELET_EXTRA_ARGS=--hostname-override=node-7\n');
    expect(text(facts.paths['/etc/kubernetes/kubelet-extra.env'])).toBe('KUBELET_EXTRA=1\n');
    expect(facts.resolvedPaths.kubeletService).toMatchObject({ path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf', source: 'candidate' });
  });

  it('reports modes exactly, special bits included, and symlinks as symlinks with their target', async () => {
    const node = track(new FakeNode());
    node.file('/etc/kubernetes/admin.conf', { content: 'kind: Config\n', mode: 0o400 });
    node.file('/etc/kubernetes/scheduler.conf', { content: 'kind: Config\n', mode: 0o2600, uid: 65534, gid: 65534 });
    node.file('/etc/kubernetes/controller-manager.conf', { content: 'kind: Config\n', mode: 0o4755 });
    node.file('/etc/kubernetes/pki/ca.crt', { content: CERT, mode: 0o1644 });
    node.file('/etc/kubernetes/pki/zero.crt', { content: CERT, mode: 0 });
    node.file('/var/lib/kubelet/pki/kubelet-client-2025.pem', { content: CERT + RSA_KEY, mode: 0o600 });
    node.symlink('/etc/kubernetes/kubelet.conf', '../../var/lib/kubelet/kubelet.conf'); // relative: the tree is not at /
    node.file('/var/lib/kubelet/kubelet.conf', { content: 'kind: Config\n', mode: 0o644 });
    node.symlink('/etc/kubernetes/pki/dangling.crt', '../nowhere.crt');

    const facts = await gatherFrom(node, shell);

    expect(present(facts.paths['/etc/kubernetes/admin.conf']).mode).toBe('400');
    expect(present(facts.paths['/etc/kubernetes/scheduler.conf'])).toMatchObject({ mode: '2600', uid: 65534, gid: 65534 });
    expect(present(facts.paths['/etc/kubernetes/controller-manager.conf']).mode).toBe('4755');
    expect(present(facts.paths['/etc/kubernetes/pki/ca.crt']).mode).toBe('1644');
    expect(present(facts.paths['/etc/kubernetes/pki/zero.crt']).mode).toBe('0');
    const link = present(facts.paths['/etc/kubernetes/kubelet.conf']);
    expect(link).toMatchObject({ type: 'symlink', symlinkTarget: '../../var/lib/kubelet/kubelet.conf', mode: '777', sha256: null });
    expect(link.followed).toMatchObject({ type: 'file', mode: '644' });
    expect(link.followed?.sha256).toBe(createHash('sha256').update('kind: Config\n').digest('hex'));
    expect(link.content).toMatchObject({ kind: 'text', text: 'kind: Config\n', verbatim: true });
    expect(facts.resolvedPaths.kubeletKubeconfig).toMatchObject({ path: '/etc/kubernetes/kubelet.conf', source: 'candidate', exists: true });
    expect(present(facts.paths['/etc/kubernetes/pki/dangling.crt'])).toMatchObject({ type: 'symlink', symlinkTarget: '../nowhere.crt', followed: null });
  });

  it("lists etcd's --data-dir given as a separate argument without hashing its data files", async () => {
    const node = track(new FakeNode());
    // uid 4242 has no name on the test host (names come from the host's NSS, not the fake tree).
    node.dir('/srv/etcd', 0o700, 4242, 4242).file('/srv/etcd/member/snap/db', { content: 'x'.repeat(100), mode: 0o600, uid: 4242, gid: 4242 });
    node.process(55, { comm: 'etcd', argv: ['/usr/local/bin/etcd', '--name', 'cp-1', '--data-dir', '/srv/etcd/'] });

    const facts = await gatherFrom(node, shell);

    expect(facts.roles.roles).toEqual(['etcd']);
    expect(facts.resolvedPaths.etcdDataDir).toMatchObject({ path: '/srv/etcd', source: 'process-flag', exists: true, kubeBenchPath: '/srv/etcd' });
    expect(present(facts.paths['/srv/etcd'])).toMatchObject({ mode: '700', user: null, group: null, uid: 4242 });
    expect(facts.listings['/srv/etcd']?.entries).toEqual(['/srv/etcd/member', '/srv/etcd/member/snap']);
  });

  it('runs only a root-owned kubelet binary for its version', async () => {
    const node = track(new FakeNode());
    const trusted = join(node.base, 'kubelet-trusted');
    const untrusted = join(node.base, 'kubelet-untrusted');
    const marker = join(node.base, 'untrusted-ran');
    writeFileSync(trusted, '#!/bin/sh\necho "Kubernetes v1.33.2"\n');
    chmodSync(trusted, 0o755);
    writeFileSync(untrusted, `#!/bin/sh\ntouch '${marker}'\necho "Kubernetes v6.6.6"\n`);
    chownSync(untrusted, 1000, 1000);
    chmodSync(untrusted, 0o755);
    node.process(20, { comm: 'kubelet', argv: ['/home/mallory/kubelet'] }).processExe(20, untrusted);
    node.process(30, { comm: 'kubelet', argv: ['/usr/bin/kubelet', '--config=/var/lib/kubelet/config.yaml'] }).processExe(30, trusted);

    const facts = await gatherFrom(node, shell);

    expect(existsSync(marker)).toBe(false);
    expect(facts.kubeletVersion).toEqual({ version: 'v1.33.2', output: 'Kubernetes v1.33.2', from: 'process', binary: '/home/mallory/kubelet' });
    expect(facts.notes).toContain('kubelet runs more than once (pids 20 and 30); facts use pid 20');
  });

  it('withholds the content of configuration files over 1 MiB', async () => {
    const node = track(new FakeNode());
    node.file('/var/lib/kubelet/config.yaml', { content: `# ${'x'.repeat(1024 * 1024)}\n`, mode: 0o644 });
    node.file('/etc/kubernetes/kubelet.conf', { content: 'kind: Config\n', mode: 0o600 });

    const facts = await gatherFrom(node, shell);

    expect(present(facts.paths['/var/lib/kubelet/config.yaml']).content).toEqual({ kind: 'withheld', reason: 'too-large' });
    expect(present(facts.paths['/var/lib/kubelet/config.yaml']).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(text(facts.paths['/etc/kubernetes/kubelet.conf'])).toBe('kind: Config\n');
  });

  it('reports an empty node: no processes, no roles, candidates absent', async () => {
    const node = track(new FakeNode());
    const facts = await gatherFrom(node, shell);
    expect(facts.processes).toEqual([]);
    expect(facts.roles).toEqual({ roles: [], evidence: [] });
    expect(facts.paths['/etc/kubernetes/manifests/kube-apiserver.yaml']).toEqual({
      path: '/etc/kubernetes/manifests/kube-apiserver.yaml',
      exists: false,
    });
    expect(facts.resolvedPaths.kubeletConfig).toMatchObject({ path: '/var/lib/kubelet/config.yaml', source: 'default', exists: false });
    expect(facts.host.os).toBeNull();
  });
});

describe('the gathering script across shells', () => {
  it('prints byte-identical output under dash and bash', async () => {
    const node = track(kubeadmControlPlane());
    const dash = await rawOutput(node, '/bin/dash');
    const bash = await rawOutput(node, '/bin/bash');
    expect(dash.equals(bash)).toBe(true);
  });

  // Busybox-based nodes: busybox's sh, awk, sed, base64, sha256sum, tr, cut
  // and uname; only stat must be GNU's. Runs where busybox is installed.
  (BUSYBOX ? it : it.skip)('gives the same facts under busybox sh and applets as under dash with GNU tools', async () => {
    const node = track(kubeadmControlPlane());
    node.file('/etc/kubernetes/pki/new\nline \\ name.crt', { content: CERT, mode: 0o2600 });
    const toolbox = join(node.base, 'toolbox');
    mkdirSync(toolbox);
    for (const applet of ['sh', 'awk', 'sed', 'base64', 'sha256sum', 'tr', 'cut', 'uname', 'cat', 'timeout', 'env']) {
      symlinkSync(BUSYBOX ?? '', join(toolbox, applet));
    }
    symlinkSync('/usr/bin/stat', join(toolbox, 'stat'));
    const command = buildCommand(
      '/usr/bin/env',
      `PATH=${toolbox}`,
      `CISFIX_FACTS_ROOT=${node.root}`,
      `CISFIX_FACTS_PROC=${node.procDir}`,
      join(toolbox, 'sh'),
      '-s',
    );
    const result = await new LocalTransport('cp-1').exec(command, { stdin: GATHER_SCRIPT });
    expect(result.stderr).toBe('');
    expect(parseFacts('cp-1', result.stdout)).toEqual(await gatherFrom(node, '/bin/dash'));
  });

  it('returns content exactly as written, with or without a final newline, CRs and blank lines included', async () => {
    const node = track(new FakeNode());
    const samples = ['', 'no newline at end', 'a\n\n\nb\n', 'crlf\r\nline\r\n', '\n', ' leading space\n', 'F1\nW\n@@end 0\n', 'tab\there\n', 'ünïcødé ✓\n'];
    samples.forEach((content, i) => node.file(`/etc/systemd/system/kubelet.service.d/${i}.conf`, content));

    const facts = await gatherFrom(node);

    samples.forEach((content, i) => {
      expect(present(facts.paths[`/etc/systemd/system/kubelet.service.d/${i}.conf`]).content).toEqual({
        kind: 'text',
        text: content,
        verbatim: true,
      });
    });
  });
});
