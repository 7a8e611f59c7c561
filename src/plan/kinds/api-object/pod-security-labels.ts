/**
 * Pod Security labels only ever tighten (DESIGN.md §2: cis-fix tightens,
 * never loosens): a namespace that already enforces, warns or audits at a
 * stricter level than the parameter asks keeps its label. Pure.
 */
import type { JsonObject, JsonValue } from '../../../model/api-object-change.js';
import { isPodSecurityLevel, levelAtLeast } from '../../../evaluate/cluster/pod-security.js';

const MODES = ['enforce', 'warn', 'audit'] as const;

/** The patch without the Pod Security labels that would lower a level the namespace has now. */
export function withoutLoosening(patch: JsonObject, currentLabels: Readonly<Record<string, string>>): JsonObject {
  const metadata = patch['metadata'];
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return patch;
  const labels = (metadata as JsonObject)['labels'];
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return patch;
  const kept: Record<string, JsonValue> = { ...(labels as JsonObject) };
  for (const mode of MODES) {
    const key = `pod-security.kubernetes.io/${mode}`;
    const wanted = kept[key];
    const now = currentLabels[key];
    if (isPodSecurityLevel(wanted) && isPodSecurityLevel(now) && levelAtLeast(now, wanted)) delete kept[key];
  }
  return { ...patch, metadata: { ...(metadata as JsonObject), labels: kept } };
}

/** The enforce level the namespace will have after the patch (undefined: none). */
export function plannedEnforceLevel(patch: JsonObject | undefined, currentLabels: Readonly<Record<string, string>>): string | undefined {
  const labels = (patch?.['metadata'] as JsonObject | undefined)?.['labels'] as JsonObject | undefined;
  const planned = labels?.['pod-security.kubernetes.io/enforce'];
  return typeof planned === 'string' ? planned : currentLabels['pod-security.kubernetes.io/enforce'];
}
