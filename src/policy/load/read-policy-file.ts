import { formatKeyPath, type KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  isMapping,
  lineOf,
  quoted,
  type ReadContext,
  readMapping,
  readStringList,
  refer,
  report,
} from "../../yaml/read-context.js";
import type { OwnerEntry, Policy, PolicyRule, PolicyTarget, Principal, SourceRef } from "../policy-types.js";
import { RUN_BY, type RunBy } from "../policy-types.js";
import { checkTargetPattern } from "./object-pattern.js";
import { readPrincipals } from "./read-principals.js";
import { readRequirement } from "./read-requirement.js";
import { readRule } from "./read-rule.js";
import { readTarget } from "./read-target.js";

const TOP_KEYS = [
  "version",
  "targets",
  "owners",
  "rules",
  "defaults",
  "policy_owners",
  "allowed_base_branches",
  "dismiss_stale_approvals",
  "run_by",
] as const;
/** Keys that may be set in one file only; the others concatenate across files. */
export const SINGLE_KEYS = [
  "version",
  "defaults",
  "policy_owners",
  "allowed_base_branches",
  "dismiss_stale_approvals",
  "run_by",
] as const;
export type SingleKey = (typeof SINGLE_KEYS)[number];
const DEFAULTS_KEYS = ["require"] as const;
const BRANCH_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** What one file contributes, before files are merged. */
export interface PolicyFilePart {
  file: string;
  /** Every target and rule name written here (valid or not), for duplicate checks across files. */
  targetNames: Array<{ name: string; source: SourceRef; key: string }>;
  ruleNames: Array<{ name: string; source: SourceRef; key: string }>;
  /** Every environment a target here names (even an otherwise invalid target), for `when.environment`. */
  environments: string[];
  targets: PolicyTarget[];
  owners: OwnerEntry[];
  rules: PolicyRule[];
  /** Where each single key is set in this file. */
  singles: Partial<Record<SingleKey, SourceRef>>;
  defaults: Policy["defaults"];
  policyOwners: Principal[] | null;
  allowedBaseBranches: string[] | null;
  dismissStaleApprovals: boolean | null;
  runBy: RunBy[] | null;
}

/** Reads one parsed policy file; errors and cross-file references go to `ctx`. */
export function readPolicyFile(ctx: ReadContext, document: unknown): PolicyFilePart {
  const part: PolicyFilePart = {
    file: ctx.file,
    targetNames: [],
    ruleNames: [],
    environments: [],
    targets: [],
    owners: [],
    rules: [],
    singles: {},
    defaults: null,
    policyOwners: null,
    allowedBaseBranches: null,
    dismissStaleApprovals: null,
    runBy: null,
  };
  if (!isMapping(document)) {
    report(ctx, [], `a policy file is a mapping of ${TOP_KEYS.join(", ")} — got ${describe(document)}`);
    return part;
  }
  checkKeys(ctx, { map: document, path: [], known: TOP_KEYS });
  const source = (path: KeyPath): SourceRef => ({ file: ctx.file, line: lineOf(ctx, path) });
  for (const key of SINGLE_KEYS) if (document[key] !== undefined) part.singles[key] = source([key]);

  if (document.version !== undefined && document.version !== 1) {
    report(ctx, ["version"], `\`version\` must be 1 — got ${describe(document.version)}`);
  }

  if (document.targets !== undefined) {
    const targets = readMapping(ctx, {
      value: document.targets,
      path: ["targets"],
      expected: "a mapping of target name → target",
    });
    for (const [name, value] of Object.entries(targets ?? {})) {
      const path = ["targets", name];
      part.targetNames.push({ name, source: source(path), key: formatKeyPath(path) });
      if (isMapping(value) && typeof value.environment === "string")
        part.environments.push(value.environment);
      const target = readTarget(ctx, { name, value, path });
      if (target) part.targets.push(target);
    }
  }

  if (document.owners !== undefined) {
    const owners = readMapping(ctx, {
      value: document.owners,
      path: ["owners"],
      expected: 'a mapping of pattern → owners, e.g. `"orders-prod/public.payments": ["@acme/payments"]`',
    });
    for (const [pattern, value] of Object.entries(owners ?? {})) {
      const entry = readOwnerEntry(ctx, { pattern, value, path: ["owners", pattern] });
      if (entry) part.owners.push(entry);
    }
  }

  if (document.rules !== undefined) {
    if (!Array.isArray(document.rules)) {
      report(
        ctx,
        ["rules"],
        `\`rules\` must be a list of rules (\`- name: …\`) — got ${describe(document.rules)}`,
      );
    } else {
      document.rules.forEach((value, index) => {
        const path = ["rules", index];
        if (isMapping(value) && typeof value.name === "string") {
          part.ruleNames.push({
            name: value.name,
            source: source(path),
            key: formatKeyPath([...path, "name"]),
          });
        }
        const rule = readRule(ctx, { value, path });
        if (rule) part.rules.push(rule);
      });
    }
  }

  if (document.defaults !== undefined) {
    const map = readMapping(ctx, {
      value: document.defaults,
      path: ["defaults"],
      expected: "`{ require: { count, from } }` (remove `defaults` to deny unmatched statements)",
    });
    if (map && checkKeys(ctx, { map, path: ["defaults"], known: DEFAULTS_KEYS })) {
      if (map.require === undefined) {
        report(
          ctx,
          ["defaults"],
          "`defaults` needs `require`; remove `defaults` to deny statements no rule matches",
        );
      } else {
        const require = readRequirement(ctx, { value: map.require, path: ["defaults", "require"] });
        if (require) part.defaults = { require };
      }
    }
  }

  if (document.policy_owners !== undefined) {
    if (Array.isArray(document.policy_owners) && document.policy_owners.length === 0) {
      report(
        ctx,
        ["policy_owners"],
        "`policy_owners` is empty: a policy nobody can change is a mistake — name who approves changes to policies/",
      );
    } else
      part.policyOwners = readPrincipals(ctx, { value: document.policy_owners, path: ["policy_owners"] });
  }

  if (document.allowed_base_branches !== undefined) {
    const branches = readStringList(ctx, {
      value: document.allowed_base_branches,
      path: ["allowed_base_branches"],
      check: (branch) =>
        BRANCH_NAME.test(branch) && !branch.includes("..") && !branch.endsWith(".lock")
          ? null
          : `\`${branch}\` is not a branch name (e.g. release/2026-11; no spaces, globs or "..")`,
    });
    if (branches) part.allowedBaseBranches = branches.map((b) => b.item);
  }
  if (document.run_by !== undefined) {
    const allowed: readonly string[] = RUN_BY;
    const who = readStringList(ctx, {
      value: document.run_by,
      path: ["run_by"],
      check: (item) =>
        allowed.includes(item)
          ? null
          : `\`${item}\` is not one of ${RUN_BY.join(", ")} (who may start an approved run)`,
    });
    if (who) part.runBy = [...new Set(who.map((w) => w.item as RunBy))];
  }
  if (document.dismiss_stale_approvals !== undefined) {
    if (typeof document.dismiss_stale_approvals === "boolean")
      part.dismissStaleApprovals = document.dismiss_stale_approvals;
    else
      report(
        ctx,
        ["dismiss_stale_approvals"],
        `must be true or false — got ${describe(document.dismiss_stale_approvals)}`,
      );
  }
  return part;
}

function readOwnerEntry(
  ctx: ReadContext,
  { pattern, value, path }: { pattern: string; value: unknown; path: KeyPath },
): OwnerEntry | null {
  const checked = checkTargetPattern(pattern, "table_or_column");
  if (!checked.ok) {
    report(ctx, path, checked.error);
    return null;
  }
  if (checked.target !== null) refer(ctx, { kind: "target", name: checked.target, path });
  let owners: OwnerEntry["owners"] | null = [];
  // An empty list marks the objects explicitly unowned, like a CODEOWNERS line without owners.
  if (!(Array.isArray(value) && value.length === 0)) {
    if (value === null || value === undefined) {
      report(
        ctx,
        path,
        `${quoted(path)} has no owners: list them, or write \`[]\` to mark the objects explicitly unowned`,
      );
      return null;
    }
    owners = readPrincipals(ctx, { value, path });
  }
  return owners ? { pattern, owners, source: { file: ctx.file, line: lineOf(ctx, path) } } : null;
}
