import type { Actor } from "../policy-types.js";

export type ParamValue = string | number | boolean | null;

/** What the policy is told about a request besides its statements. */
export interface RequestFacts {
  path: string;
  target: string;
  reason: string;
  ticket: string | null;
  author: string;
  actor: Actor;
  labels: string[];
  /** The reviewed action a YAML request names; null for SQL written in the request. */
  action?: string | null;
  params?: Record<string, ParamValue>;
  maxRows?: number | null;
}
