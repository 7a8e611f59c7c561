import { describe, expect, it } from '@jest/globals';
import { etcdArgKey, goYamlKeyLess, predictEtcdConfig, typedValue } from '../../../../src/evaluate/rancher/etcd-config-file.js';

/** A small file as RKE2 writes it (go-yaml v2, sorted keys). */
const STOCK = `advertise-client-urls: https://10.0.0.1:2379
client-transport-security:
  cert-file: /tls/server-client.crt
  client-cert-auth: true
data-dir: /var/lib/rancher/rke2/server/db/etcd
log-outputs:
- stderr
name: cp-1
peer-transport-security:
  client-cert-auth: true
snapshot-count: 10000
`;

const predicted = (before: string[], after: string[], current = STOCK) => {
  const p = predictEtcdConfig(current, before, after);
  if (p.kind !== 'text') throw new Error(p.problem);
  return p.text;
};

describe("RKE2's generated etcd config, predicted", () => {
  it('writes an etcd-arg as a top-level key in go-yaml order, beside (not inside) client-transport-security', () => {
    expect(predicted([], ['client-cert-auth=false', '--auto-tls=true'])).toBe(`advertise-client-urls: https://10.0.0.1:2379
auto-tls: true
client-cert-auth: false
client-transport-security:
  cert-file: /tls/server-client.crt
  client-cert-auth: true
data-dir: /var/lib/rancher/rke2/server/db/etcd
log-outputs:
- stderr
name: cp-1
peer-transport-security:
  client-cert-auth: true
snapshot-count: 10000
`);
  });

  it('rewrites every untouched byte as RKE2 wrote it when the list does not change', () => {
    expect(predicted([], [])).toBe(STOCK);
    expect(predicted(['auto-tls=true'], ['auto-tls=true'], predicted([], ['auto-tls=true']))).toBe(predicted([], ['auto-tls=true']));
  });

  it('drops the keys only the old list set, and the last element for a key wins', () => {
    const drifted = predicted([], ['client-cert-auth=false', 'auto-tls=true']);
    expect(predicted(['client-cert-auth=false', 'auto-tls=true'], ['auto-tls=true', 'auto-tls=false'], drifted)).toBe(
      STOCK.replace('advertise-client-urls: https://10.0.0.1:2379\n', 'advertise-client-urls: https://10.0.0.1:2379\nauto-tls: false\n'),
    );
  });

  it("refuses to drop an etcd-arg that replaced one of RKE2's own keys: the file no longer shows RKE2's value", () => {
    expect(predictEtcdConfig(STOCK, ['snapshot-count=5'], [])).toEqual({
      kind: 'problem',
      problem: "etcd-arg snapshot-count=5 replaced RKE2's own snapshot-count, whose value without it the file does not show",
    });
  });

  it('ignores an element without "=" and keeps a +/- suffix in the key, as ToConfigFile does', () => {
    expect(etcdArgKey('auto-tls')).toBeUndefined();
    expect(etcdArgKey('--experimental-x+=1')).toBe('experimental-x+');
    expect(predicted([], ['auto-tls'])).toBe(STOCK);
  });

  it('types values as ToConfigFile does: integers, time-ish durations, string lists, bools in any case, else strings', () => {
    expect(typedValue('quota-backend-bytes', '8589934592')).toBe(8589934592);
    expect(typedValue('heartbeat-interval', '-5')).toBe(-5);
    expect(typedValue('auto-compaction-retention', '1h')).toBe('1h');
    expect(typedValue('name', '1h')).toBe('1h');
    expect(typedValue('cipher-suites', '[TLS_A, TLS_B]')).toEqual(['TLS_A', 'TLS_B']);
    expect(typedValue('cipher-suites', '')).toEqual([]);
    expect(typedValue('auto-tls', 'TRUE')).toBe(true);
    expect(typedValue('client-cert-auth', 'False')).toBe(false);
    expect(typedValue('cert-file', '/x/y.crt')).toBe('/x/y.crt');
  });

  it("sorts keys by go-yaml v2's order: letters by code point, a non-letter first, digit runs as numbers", () => {
    expect(goYamlKeyLess('client-cert-auth', 'client-transport-security')).toBe(true);
    expect(goYamlKeyLess('auto-tls', 'advertise-client-urls')).toBe(false);
    expect(goYamlKeyLess('a-b', 'ab')).toBe(true);
    expect(goYamlKeyLess('a2', 'a10')).toBe(true);
    expect(goYamlKeyLess('a', 'ab')).toBe(true);
    expect(goYamlKeyLess('peer-client-cert-auth', 'peer-transport-security')).toBe(true);
  });
});
