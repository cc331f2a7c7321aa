import type { ApprovalStatus } from "../../src/approvals/approval-types.js";
import { type RequestVerdict, requestVerdict } from "../../src/approvals/request-verdict.js";
import type { EarlierRun, PriorExecution } from "../../src/plan-pull-request/earlier-runs.js";
import type { RequestFileEvaluation } from "../../src/plan-pull-request/evaluate-request-file.js";
import { everyRequestRan, planPullRequest } from "../../src/plan-pull-request/plan-pull-request.js";
import type { BasePolicy, PolicyChangeReport } from "../../src/plan-pull-request/pull-request-plan.js";
import { combineDecisions } from "../../src/policy/evaluate/combine-decisions.js";
import type { CompiledPolicy } from "../../src/policy/evaluate/compile-policy.js";
import type { Decision, RequirementSpec } from "../../src/policy/policy-types.js";
import type { RenderCheckRunParams } from "../../src/render/render-check-run.js";
import type {
  RenderExecutionResultParams,
  ResultStatement,
} from "../../src/render/render-execution-result.js";
import type { RenderStatusCommentParams } from "../../src/render/render-status-comment.js";
import type { ResultColumn } from "../../src/runner/execute/execution-types.js";
import type { ExecutionSummary } from "../../src/store/state-store.js";
import { POLICY_FILE } from "./builders/policy-model.js";
import { compilePolicyText } from "./compile-policy-text.js";

/**
 * The one place tests build the renderers' parameters (renderCheckRun, renderStatusComment,
 * renderExecutionResult / renderExecuteCheckRun). Tests describe a pull request's state; the builders
 * below turn it into each renderer's params, so when a renderer's signature changes only this file does.
 */

export const RENDER_HEAD_SHA = "a".repeat(40);
export const BASE_POLICY_SHA = "a".repeat(40);
export const CHECK_RUN_URL = "https://github.test/acme/r/pull/1/checks?check_run_id=7";

export type { BasePolicy };

/** The policy a valid base branch holds unless a test gives its own (the planner reads its targets). */
const DEFAULT_POLICY_TEXT = `version: 1
targets:
  orders-prod: { engine: postgres, environment: production, connection: { env: ORDERS_PROD_URL } }
defaults:
  require: { count: 1, from: ["@acme/dba"] }
policy_owners: ["@acme/security"]
`;

/** A valid base policy: policies/querygate.yml at BASE_POLICY_SHA, compiled from `compiled` or a default. */
export function validBasePolicy(
  compiled: CompiledPolicy = compilePolicyText(DEFAULT_POLICY_TEXT),
): BasePolicy {
  return {
    ok: true,
    commitSha: BASE_POLICY_SHA,
    files: [{ path: POLICY_FILE, blobSha: "f".repeat(40) }],
    policy: compiled.policy,
    compiled,
  };
}

export const VALID_BASE_POLICY: BasePolicy = validBasePolicy();

/** A base policy that failed to load, with its errors as the check run lists them. */
export function invalidBasePolicy(errors: string[], commitSha: string | null = "b".repeat(40)): BasePolicy {
  return { ok: false, commitSha, errors };
}

/** What the app knows about a pull request when it reports on it. */
export interface PullRequestState {
  /** The request files, evaluated (evaluateRequestFile). */
  evaluations?: RequestFileEvaluation[];
  /** Request files not analysed, and why. */
  skipped?: Array<{ path: string; reason: string }>;
  /** Default VALID_BASE_POLICY. */
  policy?: BasePolicy;
  /**
   * Default: the evaluations' decisions combined (with `extraRequirements`); null when the base policy
   * is invalid. Pass one to describe a decision by hand.
   */
  decision?: Decision | null;
  /** Added to the combined decision, as the app adds the policy owners' for a policy change. */
  extraRequirements?: RequirementSpec[];
  /** Request files the verdict counts; default the evaluations and skipped files. */
  requestFiles?: number;
  approval?: ApprovalStatus | null;
  baseProblem?: string | null;
  fork?: boolean;
  policyChange?: PolicyChangeReport | null;
  /** Executions of the pull request on any head commit (the ledger); default none. */
  priorExecutions?: PriorExecution[];
  /** The head commit; default RENDER_HEAD_SHA. */
  headSha?: string;
}

function decisionOf(s: PullRequestState): Decision | null {
  if (s.decision !== undefined) return s.decision;
  if (!(s.policy ?? VALID_BASE_POLICY).ok) return null;
  return combineDecisions(
    (s.evaluations ?? []).map((e) => e.decision),
    s.extraRequirements ?? [],
  );
}

/** The request files that ran on an earlier head commit, as the planner finds them. */
function earlierRunsOf(s: PullRequestState): EarlierRun[] {
  return s.priorExecutions?.length ? checkRunParams(s).earlierRuns : [];
}

/** The verdict the check run computes for this state; the status comment is given the same. */
export function verdictOf(s: PullRequestState): RequestVerdict {
  const evaluations = s.evaluations ?? [];
  const skipped = s.skipped ?? [];
  const change = s.policyChange ?? null;
  const decision = decisionOf(s);
  return requestVerdict({
    policyOk: (s.policy ?? VALID_BASE_POLICY).ok,
    requestFiles: s.requestFiles ?? evaluations.length + skipped.length,
    invalidFiles: evaluations.filter((e) => !e.ok).length + skipped.length,
    changesPolicy: change !== null,
    proposedPolicyBroken: change !== null && (change.errors.length > 0 || (change.tests?.failed ?? 0) > 0),
    outcome: decision?.outcome ?? null,
    approval: s.approval ?? null,
    baseProblem: s.baseProblem ?? null,
    fork: s.fork ?? false,
    alreadyRan: everyRequestRan({
      decided: decision === null ? null : { evaluations, decision },
      skipped,
      earlier: earlierRunsOf(s),
    }),
  });
}

/**
 * renderCheckRun's params, as the app makes them: the pull request's state through the planner
 * (planPullRequest). `offerRun` says whether the runner is enabled: the planner offers Run only for a
 * runnable request that has not run; `reviewProblems` are what publishing met.
 */
export function checkRunParams(
  s: PullRequestState & { offerRun?: boolean; reviewProblems?: string[] },
): RenderCheckRunParams {
  const decision = decisionOf(s);
  const evaluations = s.evaluations ?? [];
  const plan = planPullRequest({
    pr: { headSha: s.headSha ?? RENDER_HEAD_SHA, baseRef: "main", fork: s.fork ?? false },
    policy: s.policy ?? VALID_BASE_POLICY,
    decided: decision === null ? null : { evaluations, decision },
    skipped: s.skipped ?? [],
    baseProblem: s.baseProblem ?? null,
    policyChange: s.policyChange ?? null,
    approval: s.approval ?? null,
    contextFiles: [],
    executionCount: 0,
    priorExecutions: s.priorExecutions ?? [],
    runnerEnabled: s.offerRun ?? false,
    dismissStale: false,
  });
  return { ...plan, reviewProblems: s.reviewProblems ?? [] };
}

/** renderStatusComment's params, with the verdict the check run gives the same state. */
export function statusCommentParams(
  s: PullRequestState & {
    headSha?: string;
    checkRunUrl?: string | null;
    runnerEnabled?: boolean;
    executions?: ExecutionSummary[];
  },
): RenderStatusCommentParams {
  return {
    verdict: verdictOf(s),
    evaluations: s.evaluations ?? [],
    skipped: s.skipped ?? [],
    policyChange: s.policyChange ?? null,
    decision: decisionOf(s),
    approval: s.approval ?? null,
    baseProblem: s.baseProblem ?? null,
    headSha: s.headSha ?? RENDER_HEAD_SHA,
    checkRunUrl: s.checkRunUrl === undefined ? CHECK_RUN_URL : s.checkRunUrl,
    runnerEnabled: s.runnerEnabled ?? true,
    executions: s.executions ?? [],
    priorExecutions: s.priorExecutions ?? [],
    earlierRuns: earlierRunsOf(s),
  };
}

/** One execution of the head commit, as the status comment lists it. */
export function executionSummary(
  requestPath: string,
  state: ExecutionSummary["state"],
  more: Partial<ExecutionSummary> = {},
): ExecutionSummary {
  return {
    key: requestPath.replace(/\W/g, "-"),
    requestPath,
    state,
    commentId: 1,
    reported: true,
    resultTitle: null,
    resultMarkdown: null,
    ...more,
  };
}

/** The policy owners' requirement, as the app adds it when a pull request changes policies/. */
export { policyOwnersRequirement } from "../../src/plan-pull-request/plan-decision.js";

// ——— execution results ———

export const EXECUTION_KEY = "3f9a".repeat(16);
export const EXECUTION_HEAD_SHA = "c0ffee".padEnd(40, "0");

/** A text column. */
export function resultColumn(name: string): ResultColumn {
  return { name, typeOid: 25 };
}

/** Statement 1 (line 3), a SELECT that returned `rows` in columns c0, c1, … */
export function selectResult(
  rows: (string | null)[][],
  extra: Partial<ResultStatement> = {},
): ResultStatement {
  const width = rows[0]?.length ?? 2;
  return {
    index: 0,
    line: 3,
    command: "SELECT",
    rowCount: rows.length,
    columns: Array.from({ length: width }, (_, i) => resultColumn(`c${i}`)),
    rows,
    truncated: false,
    masked: new Set(),
    ...extra,
  };
}

/** A statement that returned no rows (a write): its command and the rows it affected. */
export function writeResult(
  command: string,
  rowCount: number,
  extra: Partial<ResultStatement> = {},
): ResultStatement {
  return { index: 0, line: 3, command, rowCount, masked: new Set(), ...extra };
}

/**
 * An execution of queries/fix-order.sql on orders-prod that succeeded: approved by dana and dave, run
 * by rita with the Run button in 1.25 s, one SELECT returning one row, written to the audit branch.
 */
export function executionResultParams(
  extra: Partial<RenderExecutionResultParams> = {},
): RenderExecutionResultParams {
  return {
    key: EXECUTION_KEY,
    outcome: "succeeded",
    resolution: "worker",
    target: { name: "orders-prod", environment: "production" },
    requestPath: "queries/fix-order.sql",
    headSha: EXECUTION_HEAD_SHA,
    approvers: [
      { login: "dana", reviewId: 101 },
      { login: "dave", reviewId: 102 },
    ],
    triggeredBy: "rita",
    trigger: "button",
    startedAt: "2025-01-02T03:04:05.000Z",
    endedAt: "2025-01-02T03:04:06.250Z",
    xid: "7401",
    statements: [selectResult([["1", "Ada"]])],
    maskInForce: false,
    auditHead: { hash: `sha256:${"ab".repeat(32)}`, commitSha: "d00d".padEnd(40, "1") },
    ...extra,
  };
}
