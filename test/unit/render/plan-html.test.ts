import { renderPlanHtml } from '../../../src/render/plan-html.js';
import { richPlan } from './plan-fixtures.js';

// The page's behaviour (heat map, filters, no console errors) is tested in headless Chromium
// (test/e2e/html-report.test.ts); here: self-contained, complete and escaped.
describe('the HTML report', () => {
  const page = renderPlanHtml(richPlan);

  it('is one self-contained page that loads nothing from the network', () => {
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(page).not.toMatch(/<(link|img|iframe)\b|\bsrc=|url\(|@import|https?:\/\/(?!198\.18\.0\.10)/);
  });

  it('has the summary, a heat map row per node and the cluster, every finding and one change row per target', () => {
    expect(page).toContain('<table class="summary">');
    expect(page.match(/<td class="cell[^"]*" data-node="cp-1"/g)).toHaveLength(8);
    expect(page).toContain('data-node="cp-1" data-section="1.2" data-compliance="0"');
    expect(page).toContain('data-node="cp-1" data-section="2" data-compliance="100"');
    expect(page.match(/<tr class="finding"/g)).toHaveLength(richPlan.findings.length);
    expect(page.match(/<tr class="change"/g)).toHaveLength(5);
    expect(page).toContain('<span class="add">+    - --profiling=false</span>');
  });

  it('escapes every name: no raw control character, no markup from a node', () => {
    // eslint-disable-next-line no-control-regex
    expect(page).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(page).toContain('evil\\n  ~ /etc/fake  [1.1.1]\\n+ fake line\\x1b[2J');
    const evil = renderPlanHtml({
      ...richPlan,
      changes: richPlan.changes.map((c, i) => (i === 1 ? { ...c, target: '/x/<script>alert(1)</script>' } : c)),
    } as typeof richPlan);
    expect(evil).toContain('/x/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(evil.match(/<script>/g)).toHaveLength(1);
  });
});
