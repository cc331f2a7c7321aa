import type { ReviewedStatement } from "../../lint/review-statements.js";
import type { RequirementSpec } from "../policy-types.js";
import { formatPrincipals } from "./principals.js";

/** Objects named in a summary line before "and N more". */
const MAX_OBJECTS_IN_SUMMARY = 3;

/** `Statement 1 (write on public.orders)`; `tables` are its objects as `schema.name`, distinct. */
export function describeStatement(statement: ReviewedStatement, tables: readonly string[]): string {
  const names = tables;
  const shown = names.slice(0, MAX_OBJECTS_IN_SUMMARY).join(", ");
  const more =
    names.length > MAX_OBJECTS_IN_SUMMARY ? ` and ${names.length - MAX_OBJECTS_IN_SUMMARY} more` : "";
  const on = names.length > 0 ? ` on ${shown}${more}` : "";
  return `Statement ${statement.index + 1} (${statement.class}${on})`;
}

/** `needs 2 approvals from @acme/dba (rule prod-writes-need-two-dbas)`. */
export function describeNeed(
  requirement: Pick<RequirementSpec, "source" | "label" | "count" | "from">,
): string {
  const approvals = `${requirement.count} approval${requirement.count === 1 ? "" : "s"}`;
  const from =
    requirement.from.length > 0 ? `from ${formatPrincipals(requirement.from)}` : "from nobody eligible";
  return `needs ${approvals} ${from} (${describeSource(requirement)})`;
}

function describeSource(requirement: Pick<RequirementSpec, "source" | "label">): string {
  switch (requirement.source) {
    case "rule":
      return `rule ${requirement.label}`;
    case "owners":
      return `owners of ${requirement.label}`;
    case "defaults":
      return "policy defaults: no rule or owner covers it";
    case "policy_owners":
      return "policy owners";
  }
}
