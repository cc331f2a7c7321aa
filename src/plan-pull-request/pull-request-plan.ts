import type { ApprovalStatus } from "../approvals/approval-types.js";
import type { RequestVerdict } from "../approvals/request-verdict.js";
import type { CompiledPolicy } from "../policy/evaluate/compile-policy.js";
import type { Decision, Policy, PolicyError, Principal } from "../policy/policy-types.js";
import type { EarlierRun } from "./earlier-runs.js";
import type { RequestFileEvaluation } from "./evaluate-request-file.js";
import type { ExecutionUnit } from "./execution-units.js";
import type { RunFingerprint } from "./fingerprint.js";

/** The base branch's policy as read for this evaluation. */
export type BasePolicy =
  | {
      ok: true;
      commitSha: string;
      files: Array<{ path: string; blobSha: string }>;
      policy: Policy;
      compiled: CompiledPolicy;
    }
  | { ok: false; commitSha: string | null; errors: string[] };

/** The pull request's own policies/ and actions/, validated, and its policy tests run. */
export interface PolicyChangeReport {
  /** Errors in the pull request's own version of policies/ and actions/. */
  errors: PolicyError[];
  tests: {
    passed: number;
    failed: number;
    failures: Array<{ file: string; line: number; name: string; message: string }>;
  } | null;
}

/** A file under queries/ that was not analysed, and why (too large, unreadable, over the file limit). */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** Everything decided about a pull request, before anything is rendered or published. */
export interface PullRequestPlan {
  verdict: RequestVerdict;
  policy: BasePolicy;
  evaluations: RequestFileEvaluation[];
  skipped: SkippedFile[];
  /** The combined decision; null when the base policy is invalid. */
  decision: Decision | null;
  /** Which approvals count and what blocks; null when nothing was counted (denied, invalid, no policy). */
  approval: ApprovalStatus | null;
  /** Why the base branch may not receive requests; null when it may. */
  baseProblem: string | null;
  fork: boolean;
  policyChange: PolicyChangeReport | null;
  /** Users and teams to ask for a review: short requirements' approvers not yet asked nor counted. */
  reviewersToAsk: Principal[];
  /** Reviews to dismiss because they approved an older commit or context (`dismiss_stale_approvals`). */
  staleReviewIds: number[];
  /** Offer the Run button on the check run. */
  offerRun: boolean;
  /**
   * What would run and its fingerprint; only when the request is runnable and something in it has not run
   * yet. Request files that already ran on an earlier head commit are left out (see earlierRuns).
   */
  run: { units: ExecutionUnit[]; fingerprint: RunFingerprint } | null;
  /** Request files that are requests already run on an earlier head commit, and whether each runs again. */
  earlierRuns: EarlierRun[];
  /** The grammars the request files were analysed with (one per target's PostgreSQL major). */
  parserVersions: string[];
}
