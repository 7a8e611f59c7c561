import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../../../src/model/api-object-change.js';
import { editKubeProxyConfig } from '../../../../src/plan/kinds/api-object/kube-proxy-change.js';
import { UnresolvedParameter, applyMergePatch, effectivePatch, resolvePatch, restoringPatch } from '../../../../src/plan/api-object/merge-patch.js';
import { withoutLoosening } from '../../../../src/plan/kinds/api-object/pod-security-labels.js';
import { KUBE_PROXY_CONFIG } from '../../evaluate/cluster/cluster-fixtures.js';

const json: fc.Arbitrary<JsonObject> = fc.letrec((tie) => ({
  obj: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'metadata', 'labels'), fc.oneof({ maxDepth: 3 }, fc.string(), fc.integer(), fc.boolean(), tie('obj')), {
    maxKeys: 4,
  }),
})).obj as fc.Arbitrary<JsonObject>;

describe('merge patches', () => {
  it('resolves param and paramEntry, with "*" for any other object', () => {
    const patch = { metadata: { labels: { enforce: { paramEntry: 'levels' }, warn: { param: 'warn' } } } };
    expect(resolvePatch(patch, { levels: { '*': 'baseline', web: 'restricted' }, warn: 'restricted' }, 'web')).toEqual({
      metadata: { labels: { enforce: 'restricted', warn: 'restricted' } },
    });
    expect(resolvePatch(patch, { levels: { '*': 'baseline' }, warn: 'restricted' }, 'apps')).toEqual({
      metadata: { labels: { enforce: 'baseline', warn: 'restricted' } },
    });
    expect(resolvePatch(patch, { warn: 'restricted' }, 'apps')).toEqual(new UnresolvedParameter('levels'));
  });

  it('drops what already holds and keeps what changes', () => {
    expect(effectivePatch({ metadata: { labels: { a: 'x', b: 'y' } } }, { metadata: { labels: { a: 'x', b: 'z' } } })).toEqual({
      metadata: { labels: { b: 'z' } },
    });
    expect(effectivePatch({ a: false }, { a: false })).toBeUndefined();
  });

  it('property: applying the effective patch once or twice gives the same object', () => {
    fc.assert(
      fc.property(json, json, (current, patch) => {
        const eff = effectivePatch(current, patch);
        const once = eff ? applyMergePatch(current, eff) : current;
        expect(applyMergePatch(once, patch)).toEqual(applyMergePatch(current, patch));
        expect(effectivePatch(applyMergePatch(current, patch), patch)).toBeUndefined();
      }),
    );
  });

  it('property: the restoring patch gives back the original object', () => {
    fc.assert(
      fc.property(json, json, (current, patch) => {
        const eff = effectivePatch(current, patch);
        if (!eff) return;
        const restored = applyMergePatch(applyMergePatch(current, eff), restoringPatch(current, eff));
        expect(restored).toEqual(applyMergePatch({}, current as JsonValue));
      }),
    );
  });
});

describe('Pod Security labels', () => {
  it('never lowers enforce, warn or audit, and raises what is lower', () => {
    const patch = {
      metadata: {
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    };
    expect(withoutLoosening(patch, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'baseline' })).toEqual({
      metadata: { labels: { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' } },
    });
  });
});

describe('kube-proxy config.conf edit', () => {
  it('changes only the metricsBindAddress line, keeping comments and order', () => {
    const edited = editKubeProxyConfig(KUBE_PROXY_CONFIG, 'metricsBindAddress', '127.0.0.1:10249');
    if (!('text' in edited)) throw new Error(edited.problem);
    expect(edited.text).toBe(KUBE_PROXY_CONFIG.replace('metricsBindAddress: 0.0.0.0:10249', 'metricsBindAddress: 127.0.0.1:10249'));
  });

  it('is idempotent', () => {
    const once = editKubeProxyConfig(KUBE_PROXY_CONFIG, 'metricsBindAddress', '127.0.0.1:10249');
    if (!('text' in once)) throw new Error(once.problem);
    expect(editKubeProxyConfig(once.text, 'metricsBindAddress', '127.0.0.1:10249')).toEqual(once);
  });

  it('refuses a config.conf that is not YAML', () => {
    expect(editKubeProxyConfig('kind: [unclosed', 'metricsBindAddress', 'x')).toMatchObject({ problem: expect.stringContaining('not valid YAML') });
  });
});
