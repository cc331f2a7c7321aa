import type { LintLevel } from "../lint/lint-rule.js";
import type { ObjectOperation, StatementClass } from "../sql/statement.js";
import type { SourceError } from "../yaml/source-error.js";

/** Who can approve: a GitHub user (`dana`, `@dana`) or a team (`@acme/dba`: org and team slug). */
export type Principal = { kind: "user"; login: string } | { kind: "team"; org: string; slug: string };

export type Actor = "user" | "bot" | "agent";
export type ExecuteMode = "on_approval" | "on_merge" | "auto";
export const RUN_BY = ["author", "approvers"] as const;
export type RunBy = (typeof RUN_BY)[number];

/** Where something was written in the policy, for errors and traces. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface Limits {
  maxAffectedRows?: number;
  maxResultRows?: number;
  statementTimeoutMs?: number;
}

export interface PolicyTarget {
  name: string;
  engine: "postgres";
  environment: string;
  /** PostgreSQL major whose grammar parses requests for this target (15, 16, 17). */
  serverVersion: number;
  /** Names of environment variables holding connection strings — never the strings themselves. */
  connection: { env: string; read?: string; write?: string; ddl?: string };
  searchPath: string[];
  limits: Limits;
  execute: ExecuteMode;
  source: SourceRef;
}

export interface Requirement {
  count: number;
  from: Principal[];
}

export interface OwnerEntry {
  /** Glob over `target/schema.table` or `target/schema.table.column`; see docs/policy.md. */
  pattern: string;
  /** Empty: explicitly unowned, like a CODEOWNERS line without owners. */
  owners: Principal[];
  source: SourceRef;
}

export interface NumberRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface TimeWindow {
  /** mon … sun */
  weekdays?: string[];
  /** "HH:MM-HH:MM", end exclusive; may wrap midnight ("22:00-06:00"). */
  hours?: string;
  /** IANA zone, default UTC. */
  timezone: string;
}

/** Structured conditions: every given condition must hold (AND); list values match if any element does (OR). */
export interface WhenConditions {
  target?: string[];
  environment?: string[];
  class?: StatementClass[];
  operation?: ObjectOperation[];
  /** Globs like owners' patterns over `target/schema.table`. */
  objects?: string[];
  /** Globs over `target/schema.table.column`. */
  columns?: string[];
  flags?: string[];
  /** Review rule ids: matches when the statement has a finding of any of them. */
  findings?: string[];
  estimatedRows?: NumberRange;
  /** Request parameters by name: equal to one of the values, or within a range. */
  params?: Record<string, { in?: Array<string | number | boolean>; range?: NumberRange }>;
  actor?: Actor[];
  /** Pull request labels. */
  labels?: string[];
  /** Names of the reviewed actions (`actions/*.yml`) a YAML request names. */
  action?: string[];
  time?: TimeWindow;
}

export interface RuleEffects {
  require?: Requirement;
  approve?: "auto";
  deny?: string;
  limits?: Limits;
  execute?: ExecuteMode;
  /** Column globs (`schema.table.column`, `table.column`, `*.ssn`) never shown in results. */
  mask?: string[];
  lint?: Record<string, LintLevel | "off">;
}

export interface PolicyRule {
  name: string;
  description?: string;
  when: WhenConditions | null;
  /** CEL source; compiled when the policy loads. */
  if: string | null;
  effects: RuleEffects;
  source: SourceRef;
}

export interface Policy {
  version: 1;
  targets: Record<string, PolicyTarget>;
  owners: OwnerEntry[];
  rules: PolicyRule[];
  defaults: { require?: Requirement } | null;
  policyOwners: Principal[];
  /** Base branches requests may target besides the repository's default branch. */
  allowedBaseBranches: string[];
  /** Dismiss approvals of an older commit through the API (with a message), not only ignore them. */
  dismissStaleApprovals: boolean;
  /** Who may start an approved run: its author, the approvers whose approval counted, or both. */
  runBy: RunBy[];
  /** The files this policy was merged from, in merge order. */
  files: Array<{ path: string; blobSha: string | null }>;
}

/** A problem in a policy file. */
export type PolicyError = SourceError;

export type PolicyLoadResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

// ---- Decisions ----

export type StatementOutcome = "denied" | "auto" | "needs_approval";
export type RequestOutcome = "denied" | "auto" | "needs_approval";

export interface RequirementSpec {
  /** Stable within one decision: e.g. `rule:prod-writes-need-two-dbas`, `owners:orders-prod/public.payments`, `defaults`, `policy_owners`. */
  id: string;
  source: "rule" | "owners" | "defaults" | "policy_owners";
  /** Rule name, owner pattern(s), … — what a person reads. */
  label: string;
  count: number;
  from: Principal[];
  /** Statement indexes this requirement comes from (empty for policy_owners). */
  statements: number[];
}

export type ConditionResult = "match" | "no_match" | "unknown";

export interface ConditionTrace {
  /** `class`, `objects`, `estimated_rows`, `if` … */
  condition: string;
  expected: unknown;
  actual: unknown;
  result: ConditionResult;
  /** Why a result is unknown (estimate missing, CEL error …). */
  note?: string;
}

export interface RuleTrace {
  rule: string;
  source: SourceRef;
  matched: boolean;
  /** Effects applied; on an unknown condition only restrictive effects apply (fail closed). */
  applied: Array<keyof RuleEffects>;
  conditions: ConditionTrace[];
}

export interface OwnerTrace {
  /** `target/schema.table` or `target/schema.table.column`. */
  subject: string;
  /** The last matching pattern, or null when none matched. */
  pattern: string | null;
  source: SourceRef | null;
  owners: Principal[];
}

export interface StatementDecision {
  index: number;
  /** The request file the statement came from: tells statements apart once decisions are combined. */
  path?: string;
  outcome: StatementOutcome;
  denials: Array<{ rule: string; message: string }>;
  requirements: string[];
  limits: Limits;
  execute: ExecuteMode;
  mask: string[];
  lint: Record<string, LintLevel | "off">;
  trace: {
    owners: OwnerTrace[];
    rules: RuleTrace[];
    defaults: "applied" | "not_needed" | "missing";
    /** Traces left out to keep the trace bounded (rules that did not match, subjects beyond the limit). */
    omitted?: { owners: number; rules: number };
  };
}

export interface Decision {
  outcome: RequestOutcome;
  statements: StatementDecision[];
  requirements: RequirementSpec[];
  /** Why, in one sentence per line, for people. */
  summary: string[];
}

export interface RequirementStatus {
  id: string;
  satisfiedBy: string[];
  missing: number;
  /** Lookups that failed (team membership …): counted as not satisfied. */
  errors: string[];
}
