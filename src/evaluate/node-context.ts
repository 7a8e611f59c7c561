import type { NodeFacts } from '../facts/types.js';
import type { Role } from '../model/roles.js';
import type { ParameterValue } from '../playbook/types.js';

/**
 * Everything evaluation knows about one node: its inventory name and roles,
 * the facts gathered from it, and the parameter values in force there
 * (inventory values over playbook defaults; a parameter absent here has no
 * value yet and needs a decision).
 */
export interface NodeContext {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly facts: NodeFacts;
  readonly parameters: Readonly<Record<string, ParameterValue>>;
}
