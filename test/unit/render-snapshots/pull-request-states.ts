import { baseBranchProblem } from "../../../src/approvals/base-branch.js";
import { statementHash } from "../../../src/audit/statement-hash.js";
import type { PriorExecution } from "../../../src/plan-pull-request/earlier-runs.js";
import type { RequestFileEvaluation } from "../../../src/plan-pull-request/evaluate-request-file.js";
import { loadPolicy } from "../../../src/policy/load/load-policy.js";
import {
  approvalsFrom,
  DBA,
  ORDERS_PROD,
  ORDERS_STAGING,
  policy,
  policyFixture,
  rule,
} from "../../support/builders/policy-file.js";
import { POLICY_FILE, SECURITY_TEAM } from "../../support/builders/policy-model.js";
import { sqlRequest } from "../../support/builders/request-file.js";
import {
  approvalStatusWith,
  changeRequest,
  countedApproval,
  ignoredApproval,
  requirementStatus,
} from "../../support/builders/reviews.js";
import { compilePolicyText, evaluateFile } from "../../support/compile-policy-text.js";
import {
  invalidBasePolicy,
  type PullRequestState,
  policyOwnersRequirement,
} from "../../support/render-inputs.js";

/**
 * The states a pull request's check run and status comment report, one per verdict (and the variants
 * users meet most), built as the app builds them: request files evaluated against
 * fixtures/policies/orders.yml, and approvals as the approval count would report them.
 */

const ordersPolicy = compilePolicyText(policyFixture("orders.yml"));
const NOW = new Date("2026-11-21T10:00:00Z");
const WRITES = "rule:prod-writes-need-two-dbas";

const evaluate = (path: string, text: string) => evaluateFile({ policy: ordersPolicy, path, text, now: NOW });

const REFUND = sqlRequest("UPDATE orders SET status = 'refunded' WHERE id = 42;", {
  reason: "Refund order 42, charged twice",
  ticket: "SUP-1234",
});
const REFUND_AND_CHECK = sqlRequest(
  "UPDATE orders SET status = 'refunded' WHERE id = 42;\nSELECT id, status FROM orders WHERE id = 42;",
  { reason: "Refund order 42 and show it" },
);
const STAGING_READ = sqlRequest(
  "SELECT id, status FROM orders WHERE created_at > now() - interval '1 day' LIMIT 20;",
  { target: "orders-staging", reason: "Look at recent orders" },
);
const PROD_DDL = sqlRequest("ALTER TABLE orders ADD COLUMN note text;", { reason: "Add a note column" });
const TYPO = sqlRequest("SELEC count(*) FROM orders;", { reason: "Count the orders" });

/** dana and dave (both @acme/dba) approved the head commit; each counts for the writes rule. */
const TWO_DBAS = [
  countedApproval("dana", [WRITES], { reviewId: 11 }),
  countedApproval("dave", [WRITES], { reviewId: 12 }),
];

/** The base branch's policy does not load: its errors as the check run lists them. */
function brokenBasePolicyErrors(): string[] {
  const broken = policy({
    targets: {
      "orders-prod": { ...ORDERS_PROD, enviroment: "production" },
      "orders-staging": ORDERS_STAGING,
    },
    rules: [
      rule("prod-writes-need-two-dbas", {
        when: { environment: "production", class: ["write"] },
        require: approvalsFrom(0, DBA),
      }),
    ],
  });
  const loaded = loadPolicy([{ path: POLICY_FILE, content: broken }]);
  if (loaded.ok) throw new Error("expected the broken policy not to load");
  return loaded.errors.map((e) => `${e.file}:${e.line}: ${e.key}: ${e.message}`);
}

export type CheckRunState = PullRequestState & { offerRun?: boolean };

/** An earlier head commit of the pull request. */
export const EARLIER_HEAD = "e".repeat(40);

/**
 * The execution the ledger holds of this request file, run on an earlier head commit (the same statements,
 * parameters and target), reported in comment 77.
 */
export function ranBefore(e: RequestFileEvaluation, more: Partial<PriorExecution> = {}): PriorExecution {
  if (!e.ok) throw new Error(`${e.path} does not evaluate, so it never ran`);
  return {
    key: "7e57".repeat(16),
    requestPath: e.path,
    headSha: EARLIER_HEAD,
    target: e.header.target,
    statements: e.statements.map((s) => ({ index: s.index, hash: statementHash(s.text), params: [] })),
    state: "succeeded",
    queuedAt: new Date("2026-11-21T09:00:00Z"),
    endedAt: new Date("2026-11-21T09:00:02Z"),
    resultUrl: "https://github.test/acme/r/pull/1#issuecomment-77",
    ...more,
  };
}

/** Every state, by the name its snapshot files carry. */
export async function pullRequestStates(): Promise<Record<string, CheckRunState>> {
  const refund = await evaluate("queries/refund-order-42.sql", REFUND);
  const refundAndCheck = await evaluate("queries/refund-and-check.sql", REFUND_AND_CHECK);
  const stagingRead = await evaluate("queries/recent-orders.sql", STAGING_READ);
  return {
    "no-policy": { policy: invalidBasePolicy(brokenBasePolicyErrors()) },
    "no-requests": {},
    invalid: { evaluations: [await evaluate("queries/count.sql", TYPO)] },
    denied: { evaluations: [await evaluate("queries/add-note.sql", PROD_DDL)] },
    "needs-approval-one-requirement": {
      evaluations: [refund],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana"], 1)],
        approvals: [
          countedApproval("dana", [WRITES], { reviewId: 11 }),
          ignoredApproval("dave", "stale_commit", { reviewId: 12, commitId: "b".repeat(40) }),
        ],
      }),
      offerRun: true,
    },
    "needs-approval-several-requirements": {
      evaluations: [refundAndCheck],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, [], 2), requirementStatus("defaults", [], 1)],
      }),
      offerRun: true,
    },
    "blocked-by-change-request": {
      evaluations: [refund],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana", "dave"], 0)],
        approvals: TWO_DBAS,
        changeRequests: [changeRequest("dora", [WRITES], { reviewId: 13 })],
      }),
      offerRun: true,
    },
    "ready-approved": {
      evaluations: [refund],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana", "dave"], 0)],
        approvals: TWO_DBAS,
      }),
      offerRun: true,
    },
    "ready-auto": { evaluations: [stagingRead], offerRun: true },
    // A push left the request file as it was (say, it changed a README): it ran on the earlier head.
    "already-ran": { evaluations: [refund], priorExecutions: [ranBefore(refund)], offerRun: true },
    // A push added a second request file; the first one ran on the earlier head and does not run again.
    "needs-approval-one-already-ran": {
      evaluations: [refund, refundAndCheck],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana"], 1), requirementStatus("defaults", [], 1)],
        approvals: [countedApproval("dana", [WRITES], { reviewId: 11 })],
      }),
      priorExecutions: [ranBefore(refund)],
      offerRun: true,
    },
    // It was rolled back on the earlier head (nothing changed): approved again, it may run again.
    "ready-rolled-back-earlier": {
      evaluations: [refund],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana", "dave"], 0)],
        approvals: TWO_DBAS,
      }),
      priorExecutions: [ranBefore(refund, { state: "rolled_back" })],
      offerRun: true,
    },
    fork: { evaluations: [stagingRead], fork: true, offerRun: true },
    "wrong-base": {
      evaluations: [refund],
      approval: approvalStatusWith({
        statuses: [requirementStatus(WRITES, ["dana", "dave"], 0)],
        approvals: TWO_DBAS,
      }),
      baseProblem: baseBranchProblem({ baseRef: "release", defaultBranch: "main", allowed: [] }),
      offerRun: true,
    },
    "policy-change-failing-tests": {
      extraRequirements: [policyOwnersRequirement([SECURITY_TEAM])],
      approval: approvalStatusWith({ statuses: [requirementStatus("policy_owners", [], 1)] }),
      policyChange: {
        errors: [],
        tests: {
          passed: 7,
          failed: 1,
          failures: [
            {
              file: "policies/tests/prod.yml",
              line: 12,
              name: "DDL in production is denied",
              message: "expected denied, got needs_approval (missing: defaults 1)",
            },
          ],
        },
      },
      offerRun: true,
    },
  };
}
