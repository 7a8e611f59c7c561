import type { NodeCheck } from '../../../src/model/node-check.js';
import { renderNodeChecks } from '../../../src/render/node-checks.js';
import { createStyle } from '../../../src/render/style.js';

const ok: NodeCheck = {
  node: 'cp-1',
  host: '10.0.0.1',
  ok: true,
  reachable: true,
  hostKeyFingerprint: 'SHA256:abc',
  sudo: 'ok',
  declaredRoles: ['control-plane'],
  detectedRoles: ['control-plane'],
  roleEvidence: [],
  roleMismatch: undefined,
  kubeletVersion: 'v1.33.4',
  acceptedHostKeys: [],
  error: undefined,
};
const unreached: NodeCheck = {
  ...ok,
  node: 'worker-9',
  host: '10.0.0.9',
  ok: false,
  reachable: false,
  hostKeyFingerprint: undefined,
  sudo: 'not-checked',
  detectedRoles: [],
  kubeletVersion: undefined,
  error: {
    name: 'UnreachableError',
    message: 'cannot connect to ops@10.0.0.9:22: ECONNREFUSED',
    hints: ["Check the address; then run 'cis-fix inventory check'."],
  },
};

describe('inventory check output', () => {
  it('names an unreached node once and counts the nodes not reached in the summary', () => {
    const text = renderNodeChecks([ok, unreached], createStyle(false));
    expect(text).toContain('worker-9: cannot connect to ops@10.0.0.9:22: ECONNREFUSED');
    expect(text).not.toContain('worker-9: worker-9:');
    expect(text).toContain("  → Check the address; then run 'cis-fix inventory check'.");
    expect(text).toContain('1 of 2 nodes failed (1 not reached).');
  });

  it('says all nodes are OK in the same units', () => {
    expect(renderNodeChecks([ok], createStyle(false))).toContain('All 1 node OK.');
  });
});
