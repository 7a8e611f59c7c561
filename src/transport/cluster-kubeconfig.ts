/**
 * Choosing the kubeconfig context (DESIGN.md §3): a named context that does
 * not exist, or no context at all, is an error — never a silent fallback to
 * another context or to an unauthenticated client. Pure.
 */
import { didYouMean } from '../model/closest-match.js';

export interface KubeconfigSummary {
  readonly current: string;
  readonly contexts: readonly { readonly name: string; readonly cluster: string; readonly user: string }[];
  readonly clusters: readonly string[];
  readonly users: readonly string[];
}

export type ContextChoice = { readonly context: string } | { readonly problem: string; readonly hints: readonly string[] };

export function pickContext(config: KubeconfigSummary, wanted: string | undefined, file: string): ContextChoice {
  const names = config.contexts.map((c) => c.name);
  const name = wanted ?? (config.current || undefined);
  if (name === undefined) {
    return {
      problem: `no context found: ${file} has no current-context and the inventory names none`,
      hints: [
        names.length
          ? `Set cluster.context in the inventory to one of: ${names.join(', ')}.`
          : `${file} defines no contexts; point cluster.kubeconfig at a working kubeconfig.`,
      ],
    };
  }
  const context = config.contexts.find((c) => c.name === name);
  if (!context) {
    return {
      problem: `no context found: ${file} has no context named ${JSON.stringify(name)}`,
      hints: [`${didYouMean(name, names)}Contexts in the file: ${names.join(', ') || 'none'}.`],
    };
  }
  if (!config.clusters.includes(context.cluster)) {
    return {
      problem: `context ${name} in ${file} names cluster ${JSON.stringify(context.cluster)}, which the file does not define`,
      hints: ['Fix the context in the kubeconfig.'],
    };
  }
  // A context without a user would send requests with no credentials at all.
  if (!context.user || !config.users.includes(context.user)) {
    return {
      problem: `context ${name} in ${file} names no user with credentials (${JSON.stringify(context.user ?? '')})`,
      hints: ['Give the context a user with a token, a client certificate or an exec plugin.'],
    };
  }
  return { context: name };
}
