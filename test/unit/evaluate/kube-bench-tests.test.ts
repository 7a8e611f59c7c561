import { compareValue, findFlagValue, testsPass } from '../../../src/evaluate/kube-bench/test-items.js';

describe("kube-bench's test engine", () => {
  it("reads values the way kube-bench's regex does", () => {
    expect(findFlagValue('kube-apiserver --profiling=false --x', '--profiling')).toEqual({ found: true, value: 'false' });
    expect(findFlagValue('kube-apiserver --anonymous-auth', '--anonymous-auth')).toEqual({ found: true, value: 'true' });
    expect(findFlagValue('root:root', 'root:root')).toEqual({ found: true, value: 'root:root' });
    expect(findFlagValue('permissions=644', 'permissions')).toEqual({ found: true, value: '644' });
    expect(findFlagValue('kube-apiserver --a=1', '--profiling').found).toBe(false);
  });

  it('bitmask passes only modes without bits outside the mask', () => {
    expect(compareValue('bitmask', '600', '600')).toBe(true);
    expect(compareValue('bitmask', '400', '600')).toBe(true);
    expect(compareValue('bitmask', '640', '600')).toBe(false);
    expect(compareValue('bitmask', '500', '600')).toBe(false);
    expect(compareValue('bitmask', '2600', '600')).toBe(false);
  });

  it('eq is case-insensitive for booleans only; gte needs integers', () => {
    expect(compareValue('eq', 'FALSE', 'false')).toBe(true);
    expect(compareValue('eq', 'Webhook', 'webhook')).toBe(false);
    expect(compareValue('gte', '30', '30')).toBe(true);
    expect(compareValue('gte', '30s', '30')).toBe(false);
  });

  it('valid_elements accepts a subset and rejects anything outside', () => {
    expect(compareValue('valid_elements', 'A,B', 'A,B,C')).toBe(true);
    expect(compareValue('valid_elements', 'A,D', 'A,B,C')).toBe(false);
    expect(compareValue('valid_elements', '', 'A')).toBe(false);
  });

  it('with use_multiple_values every line must pass, and empty output fails a set item', () => {
    const tests = {
      binOp: 'and' as const,
      items: [{ flag: 'permissions', path: undefined, env: undefined, set: true, compare: { op: 'bitmask' as const, value: '600' } }],
    };
    expect(testsPass(tests, 'permissions=600\npermissions=400\n', true)).toBe(true);
    expect(testsPass(tests, 'permissions=600\npermissions=644\n', true)).toBe(false);
    expect(testsPass(tests, '', true)).toBe(false);
  });

  it('set: false passes only when the keyword is absent', () => {
    const tests = { binOp: 'and' as const, items: [{ flag: '--hostname-override', path: undefined, env: undefined, set: false, compare: undefined }] };
    expect(testsPass(tests, 'kubelet --config=/x', false)).toBe(true);
    expect(testsPass(tests, 'kubelet --hostname-override=a', false)).toBe(false);
  });
});
