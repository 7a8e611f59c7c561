import type { Plan } from '../plan/plan.js';
import { escapeName } from './escape-name.js';
import { describeWaiver } from './plan-overview.js';

/**
 * The plan as SARIF 2.1.0 (code-scanning dashboards): one rule per control
 * that has a result, one result per failing finding. A failure this plan
 * fixes is a `warning` (it goes away with `cis-fix apply`); one that needs a
 * decision or a human is an `error`. Locations are `node:path` URIs.
 */
export function renderPlanSarif(plan: Plan): string {
  const failing = plan.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  const ruleIds = [...new Set(failing.map((f) => f.controlId))];
  const rules = ruleIds.map((id) => {
    const title = failing.find((f) => f.controlId === id)?.title ?? id;
    return { id, name: `CIS ${id}`, shortDescription: { text: title } };
  });
  const results = failing.map((f) => {
    const change = plan.changes.find((c) => c.node === f.node && c.controlIds.includes(f.controlId));
    return {
      ruleId: f.controlId,
      level: f.status === 'error' || !f.fixable ? 'error' : 'warning',
      message: {
        text: escapeName(
          `${f.actual}; expected ${f.expected}${f.fixable ? ' (fixed by this plan)' : f.notFixableReason ? ` (${f.notFixableReason})` : ''}${f.waiver ? `; ${describeWaiver(f)}` : ''}`,
        ),
      },
      // The URI carries the escaped names, percent-encoded: a viewer that decodes it still shows no control character.
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `node://${encodeURIComponent(escapeName(f.node ?? 'cluster'))}${encodeURI(escapeName(change?.target ?? ''))}` },
          },
        },
      ],
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      { tool: { driver: { name: 'cis-fix', version: plan.tool.version, informationUri: 'https://www.cisecurity.org/benchmark/kubernetes', rules } }, results },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
