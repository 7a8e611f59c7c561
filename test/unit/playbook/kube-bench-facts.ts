import { parse } from 'yaml';
import type { Control } from '../../../src/playbook/types.js';

/**
 * The facts of kube-bench's check definitions that a playbook must repeat
 * exactly: per check its id, title, assessment, kube-bench type, scored and
 * tests. The committed fixtures (fixtures/kube-bench-<id>.json) are these
 * facts, extracted once from kube-bench's YAML; the playbook test compares
 * the playbooks to them, and to a fresh extraction when kube-bench's YAML is
 * on the machine.
 */
export interface CheckFacts {
  readonly id: string;
  /** kube-bench's `text` without its "(Automated)"/"(Manual)" suffix. */
  readonly title: string;
  /** From the suffix; kube-bench's text has none for a few checks, then from `scored`. */
  readonly assessment: 'Automated' | 'Manual';
  readonly target: string;
  readonly type: 'automated' | 'manual' | 'skip';
  readonly scored: boolean;
  readonly tests: TestsFacts | null;
}

export interface TestsFacts {
  readonly binOp: 'and' | 'or';
  readonly items: readonly ItemFacts[];
}

/** Absent keys are null; `set` null means kube-bench's file does not say (the playbook's default, true). */
export interface ItemFacts {
  readonly flag: string | null;
  readonly path: string | null;
  readonly env: string | null;
  readonly set: boolean | null;
  readonly compare: { readonly op: string; readonly value: string } | null;
}

/** The files of one kube-bench benchmark directory, in kube-bench's target order. */
export const KUBE_BENCH_FILES = ['master', 'etcd', 'controlplane', 'node', 'policies', 'managedservices'] as const;

interface RawCheck {
  id: string;
  text: string;
  type?: string;
  scored?: string;
  tests?: { bin_op?: string; test_items?: RawItem[] };
}
interface RawItem {
  flag?: string;
  path?: string;
  env?: string;
  set?: string;
  compare?: { op: string; value?: string };
}

/**
 * The facts of one kube-bench file's text. YAML is read with the failsafe
 * schema: every scalar is the text kube-bench's Go decoder puts in its
 * string fields (`id: 5.10` stays "5.10", `value: false` is "false").
 */
export function extractCheckFacts(yamlText: string): CheckFacts[] {
  const doc = parse(yamlText, { schema: 'failsafe' }) as { type: string; groups?: { checks?: RawCheck[] }[] | string };
  const groups = Array.isArray(doc.groups) ? doc.groups : [];
  return groups.flatMap((g) =>
    (g.checks ?? []).map((c): CheckFacts => {
      const suffix = /\s*\((Automated|Manual)\)\s*$/.exec(c.text);
      const scored = c.scored === 'true';
      return {
        id: c.id,
        title: c.text.replace(/\s*\((Automated|Manual)\)\s*$/, '').trim(),
        assessment: suffix ? (suffix[1] as 'Automated' | 'Manual') : scored ? 'Automated' : 'Manual',
        target: doc.type,
        type: c.type === 'manual' || c.type === 'skip' ? c.type : 'automated',
        scored,
        tests: c.tests
          ? {
              binOp: c.tests.bin_op === 'or' ? 'or' : 'and',
              items: (c.tests.test_items ?? []).map((i) => ({
                flag: i.flag ?? null,
                path: i.path ?? null,
                env: i.env ?? null,
                set: i.set === undefined ? null : i.set === 'true',
                compare: i.compare ? { op: i.compare.op, value: i.compare.value ?? '' } : null,
              })),
            }
          : null,
      };
    }),
  );
}

/**
 * The same facts as a playbook states them. kube-bench never runs the tests
 * of a manual check, so a playbook keeps none; `set` is compared as the
 * playbook's default (true) where kube-bench's file says nothing.
 */
export function playbookCheckFacts(control: Control): CheckFacts {
  const kb = control.kubeBench;
  return {
    id: control.id,
    title: control.title,
    assessment: control.assessment,
    target: kb.target,
    type: kb.type,
    scored: kb.scored,
    tests: kb.tests
      ? {
          binOp: kb.tests.binOp,
          items: kb.tests.items.map((i) => ({
            flag: i.flag ?? null,
            path: i.path ?? null,
            env: i.env ?? null,
            set: i.set,
            compare: i.compare ? { op: i.compare.op, value: i.compare.value } : null,
          })),
        }
      : null,
  };
}

/** kube-bench's facts with `set: null` read as the playbook's default, and a manual check's (never run) tests dropped. */
export function asPlaybookStates(facts: CheckFacts): CheckFacts {
  return {
    ...facts,
    tests:
      facts.type === 'manual' || facts.tests === null
        ? null
        : { binOp: facts.tests.binOp, items: facts.tests.items.map((i) => ({ ...i, set: i.set ?? true })) },
  };
}
