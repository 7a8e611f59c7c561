import { readFileSync } from 'node:fs';

describe('the LICENSE file', () => {
  it('is the full Apache License 2.0 text that package.json names', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string };
    const text = readFileSync('LICENSE', 'utf8');
    expect(pkg.license).toBe('Apache-2.0');
    expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('9. Accepting Warranty or Additional Liability.');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });
});
