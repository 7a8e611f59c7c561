import { UserError } from '../../../src/model/errors.js';
import { parseBaseline } from '../../../src/apply/baseline-store.js';

describe('parseBaseline', () => {
  const valid = { formatVersion: 1, updatedAt: '2026-12-04T10:00:00.000Z', benchmark: 'cis-1.12', enforced: { 'cp-1\u00001.1.1': '20261204T100000Z-abcdef' } };

  it('reads what writeBaseline writes', () => {
    expect(parseBaseline(JSON.stringify(valid), 'baseline.json')).toEqual(valid);
  });

  it('refuses unknown keys, mistyped fields and malformed keys, naming the JSON path', () => {
    const bad = { ...valid, extra: true, enforced: { 'cp-1 1.1.1': 'run', 'cp-1\u00001.1.2': 7 } };
    expect(() => parseBaseline(JSON.stringify(bad), 'baseline.json')).toThrow(UserError);
    try {
      parseBaseline(JSON.stringify(bad), 'baseline.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('baseline.json: extra: unknown key');
      expect(message).toContain('baseline.json: enforced["cp-1 1.1.1"]');
      expect(message).toContain('baseline.json: enforced["cp-1\\u00001.1.2"]');
    }
  });
});
