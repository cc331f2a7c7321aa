import type { RequirementSpec, RequirementStatus } from "../policy/policy-types.js";

/** Approvals a requirement still lacks; all of them when nothing was counted. */
export function missingOf(r: RequirementSpec, statuses: RequirementStatus[]): number {
  return statuses.find((s) => s.id === r.id)?.missing ?? r.count;
}

/** What a requirement is for, in words: "rule x", "the owners of y"; `name` formats the rule or pattern. */
export function requirementLabel(r: RequirementSpec, name: (s: string) => string = (s) => s): string {
  if (r.source === "rule") return `rule ${name(r.label)}`;
  if (r.source === "owners") return `the owners of ${name(r.label)}`;
  if (r.source === "defaults") return "the policy's defaults";
  return r.label;
}
