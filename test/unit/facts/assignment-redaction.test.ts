import { describe, expect, it } from '@jest/globals';
import { isSecretAssignment, redactAssignments } from '../../../src/facts/assignment-redaction.js';

const MARK = '<redacted by cis-fix>';

describe('credential assignments in gathered configuration files', () => {
  it('withhold the value of a variable named like a credential, commented, exported or quoted', () => {
    const text = [
      'ETCD_NAME=cp-1',
      'ETCDCTL_PASSWORD=pa55',
      '# OLD_TOKEN=tok3n',
      'export API_KEY="k3y"',
      "PRIVATE_THING='x y'",
      'KUBELET_EXTRA_ARGS="--node-labels=a=b --read-only-port=0"',
      '  - --token-auth-file=/etc/kubernetes/token.csv',
    ].join('\n');
    expect(redactAssignments(text).split('\n')).toEqual([
      'ETCD_NAME=cp-1',
      `ETCDCTL_PASSWORD=${MARK}`,
      `# OLD_TOKEN=${MARK}`,
      `export API_KEY=${MARK}`,
      `PRIVATE_THING=${MARK}`,
      'KUBELET_EXTRA_ARGS="--node-labels=a=b --read-only-port=0"',
      '  - --token-auth-file=/etc/kubernetes/token.csv',
    ]);
  });

  it("withhold a credential among the words of a systemd Environment= line, and only the assignment's own value", () => {
    expect(redactAssignments('Environment="AWS_SECRET_ACCESS_KEY=s3cr3t word" "HTTP_PROXY=http://p:3128"')).toBe(
      `Environment="AWS_SECRET_ACCESS_KEY=${MARK}" "HTTP_PROXY=http://p:3128"`,
    );
    expect(redactAssignments('Environment=KUBE_TOKEN=abc KUBELET_EXTRA_ARGS=--v=2')).toBe(`Environment=KUBE_TOKEN=${MARK} KUBELET_EXTRA_ARGS=--v=2`);
    // systemd reads one quoted word as one assignment: B_TOKEN is part of A's value here.
    expect(redactAssignments('Environment="A=1 B_TOKEN=x"')).toBe('Environment="A=1 B_TOKEN=x"');
  });

  it("keep etcd's initial cluster token and a *KEY naming a file, but never key material that begins with a slash", () => {
    expect(isSecretAssignment('ETCD_INITIAL_CLUSTER_TOKEN', '"etcd-cluster"')).toBe(false);
    expect(isSecretAssignment('ETCDCTL_KEY', '/etc/ssl/etcd/ssl/admin-cp-1-key.pem')).toBe(false);
    expect(isSecretAssignment('ETCD_KEY_FILE', '/etc/etcd/pki/server.key')).toBe(false);
    expect(isSecretAssignment('ETCDCTL_KEY', '/s3cr3tQ9zK4mW7vB2nX8yR1tL6pH0cJ5dF3gA7eU9iO2k=')).toBe(true);
    expect(isSecretAssignment('ETCDCTL_KEY', '/etc/ssl/key.pem # the admin key')).toBe(true);
    expect(isSecretAssignment('ENCRYPTION_KEY', 'c2VjcmV0')).toBe(true);
  });

  it('leave a value already redacted as it is (the parser re-checks what the node sent)', () => {
    const sent = `ETCDCTL_PASSWORD=${MARK}\nEnvironment="A_SECRET=${MARK}"\nEnvironment=B_TOKEN=${MARK} C_TOKEN=${MARK}\nD_PASSWORD=\n`;
    expect(redactAssignments(sent)).toBe(sent);
  });
});
