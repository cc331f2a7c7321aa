import { didYouMean, type PolicyReference } from "../../yaml/read-context.js";
import { POLICY_DIR } from "../policy-paths.js";
import type {
  OwnerEntry,
  Policy,
  PolicyError,
  PolicyRule,
  PolicyTarget,
  SourceRef,
} from "../policy-types.js";
import { RUN_BY } from "../policy-types.js";
import { MAX_OWNER_PATTERNS, MAX_RULES } from "./policy-limits.js";
import { type PolicyFilePart, SINGLE_KEYS } from "./read-policy-file.js";

export interface MergeInput {
  /** In merge order (sorted by path). */
  parts: PolicyFilePart[];
  references: PolicyReference[];
  files: Policy["files"];
  /**
   * False when a file could not be read at all: what it would have declared is unknown, so missing keys and
   * unknown names are not reported (they would only repeat that one error).
   */
  complete: boolean;
}

/** Merges file parts in order and checks what only the whole policy can tell. */
export function mergePolicyFiles({ parts, references, files, complete }: MergeInput): {
  policy: Policy | null;
  errors: PolicyError[];
} {
  const errors: PolicyError[] = [];
  const at = (source: SourceRef, key: string, message: string) => {
    errors.push({ file: source.file, line: source.line, key, message });
  };
  const where = (source: SourceRef) => `${source.file}:${source.line}`;

  const targetSeen = new Map<string, SourceRef>();
  const ruleSeen = new Map<string, SourceRef>();
  for (const part of parts) {
    for (const { name, source, key } of part.targetNames) {
      const first = targetSeen.get(name);
      if (first) {
        at(
          source,
          key,
          `target \`${name}\` is defined twice: here and at ${where(first)} — keep one (target names are unique across all policy files)`,
        );
      } else targetSeen.set(name, source);
    }
    for (const { name, source, key } of part.ruleNames) {
      const first = ruleSeen.get(name);
      if (first) {
        at(
          source,
          key,
          `rule \`${name}\` is defined twice: here and at ${where(first)} — rename one (rule names are unique across all policy files; decisions cite them)`,
        );
      } else ruleSeen.set(name, source);
    }
  }

  const singles = new Map<string, SourceRef>();
  for (const part of parts) {
    for (const key of SINGLE_KEYS) {
      const source = part.singles[key];
      if (!source) continue;
      const first = singles.get(key);
      if (first) {
        at(
          source,
          key,
          `\`${key}\` is set twice: here and at ${where(first)} — set it in one policy file only`,
        );
      } else singles.set(key, source);
    }
  }

  const targets: Record<string, PolicyTarget> = {};
  const owners: OwnerEntry[] = [];
  const rules: PolicyRule[] = [];
  for (const part of parts) {
    for (const target of part.targets)
      if (!Object.hasOwn(targets, target.name)) targets[target.name] = target;
    for (const entry of part.owners) {
      owners.push(entry);
      if (owners.length === MAX_OWNER_PATTERNS + 1) {
        at(
          entry.source,
          "owners",
          `more than ${MAX_OWNER_PATTERNS} owners patterns: use globs to cover several objects with one pattern`,
        );
      }
    }
    for (const rule of part.rules) {
      rules.push(rule);
      if (rules.length === MAX_RULES + 1) {
        at(
          rule.source,
          "rules",
          `more than ${MAX_RULES} rules: combine rules (lists in \`when\` match any of their values)`,
        );
      }
    }
  }

  const first = parts[0]?.file ?? files[0]?.path ?? POLICY_DIR;
  if (complete) {
    if (!singles.has("version")) {
      at({ file: first, line: 1 }, "version", "`version` is missing: add `version: 1` to one policy file");
    }
    if (!singles.has("policy_owners")) {
      at(
        { file: first, line: 1 },
        "policy_owners",
        '`policy_owners` is missing: name who must approve changes to policies/ (e.g. `policy_owners: ["@acme/security"]`)',
      );
    }
    if (targetSeen.size === 0) {
      at({ file: first, line: 1 }, "targets", "no targets: declare at least one database under `targets:`");
    }
    const environments = new Set<string>();
    for (const part of parts) for (const environment of part.environments) environments.add(environment);
    for (const reference of references) {
      if (reference.kind === "target" && !targetSeen.has(reference.name)) {
        errors.push({
          ...reference.at,
          message: `unknown target \`${reference.name}\`${didYouMean(reference.name, targetSeen.keys())} (targets: ${[...targetSeen.keys()].join(", ") || "none"})`,
        });
      } else if (reference.kind === "environment" && !environments.has(reference.name)) {
        errors.push({
          ...reference.at,
          message: `no target is in environment \`${reference.name}\`${didYouMean(reference.name, environments)} (environments: ${[...environments].join(", ") || "none"}): a condition on it would never match`,
        });
      }
    }
  }

  const firstSet = <T>(pick: (part: PolicyFilePart) => T | null): T | null => {
    for (const part of parts) {
      const value = pick(part);
      if (value !== null) return value;
    }
    return null;
  };
  const policyOwners = firstSet((part) => part.policyOwners);
  if (errors.length > 0 || !complete || policyOwners === null) return { policy: null, errors };
  return {
    policy: {
      version: 1,
      targets,
      owners,
      rules,
      defaults: firstSet((part) => part.defaults),
      policyOwners,
      allowedBaseBranches: firstSet((part) => part.allowedBaseBranches) ?? [],
      dismissStaleApprovals: firstSet((part) => part.dismissStaleApprovals) ?? false,
      runBy: firstSet((part) => part.runBy) ?? [...RUN_BY],
      files,
    },
    errors,
  };
}
