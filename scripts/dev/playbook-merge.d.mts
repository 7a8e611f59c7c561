// Types of scripts/dev/playbook-merge.mjs, for test/unit/scripts/playbook-merge.test.ts.

export declare const DERIVED_CONTROL_KEYS: readonly string[];

export interface ControlIndex {
  /** Existing controls by id: the file each is in. */
  readonly byId: ReadonlyMap<string, { readonly file: string; readonly value: Record<string, unknown> }>;
  /** The control ids of each existing file, in order. */
  readonly order: ReadonlyMap<string, readonly string[]>;
}

export declare function indexControls(files: readonly { name: string; text: string }[]): ControlIndex;

export interface MergeReport {
  /** Controls that were in the files already: their hand-made keys were kept. */
  readonly kept: string[];
  /** Controls new in kube-bench: the generator's default. */
  readonly added: string[];
  /** Controls kube-bench no longer has (kept, or dropped with dropVanished). */
  readonly vanished: string[];
  /** Controls whose kept guidance differs from kube-bench's remediation text. */
  readonly guidance: string[];
  /** Controls whose hand-written structured audit was kept (the generator's is `source: script`). */
  readonly audits: string[];
}

export declare function mergeControlFile(args: {
  name: string;
  generated: string;
  index: ControlIndex;
  generatedIds: ReadonlySet<string>;
  dropVanished?: boolean;
  orphans?: readonly string[];
}): { text: string; report: MergeReport };

export declare function mergeKeyedFile(args: { name: string; generated: string; existing: string | undefined; nested?: readonly string[] }): string;
