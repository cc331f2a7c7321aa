import type { RequestVerdict } from "../approvals/request-verdict.js";
import { COMMAND_PREFIX } from "../github/parse-command.js";
import type { EarlierRun } from "../plan-pull-request/earlier-runs.js";
import type { ExecutionRow } from "../runner/ledger/execution-ledger.js";
import { earlierRunLine, earlierRunOutcome, RUNS_ONCE } from "./describe-earlier-run.js";
import { inlineCode } from "./markdown.js";

/** Pure: the replies to comment commands, in plain words. */
export function helpReply(p: { unknownWord: string | null; runnerEnabled: boolean }): string {
  const lead =
    p.unknownWord === null
      ? "querygate understands these commands, written alone on the first line of a comment:"
      : `querygate does not know the command \`${p.unknownWord.slice(0, 40) || "(none)"}\`. It understands these, written alone on the first line of a comment:`;
  return [
    lead,
    "",
    `- \`${COMMAND_PREFIX} plan\` — analyse the request files again and refresh the check and the status comment.`,
    p.runnerEnabled
      ? `- \`${COMMAND_PREFIX} run\` — run the approved request (same as the **Run** button on the querygate check).`
      : `- \`${COMMAND_PREFIX} run\` — run the approved request (execution is not enabled on this installation).`,
    `- \`${COMMAND_PREFIX} help\` — show this list.`,
    "",
    "Commands are accepted from people with write access to this repository. Approvals are GitHub reviews: approve the pull request to approve its statements.",
  ].join("\n");
}

export function refusalReply(login: string): string {
  return `Sorry @${login}, querygate only takes commands from people with write access to this repository. Nothing was done. If you need this request planned or run, ask one of its maintainers.`;
}

export function closedReply(): string {
  return "This pull request is closed, so querygate does nothing with it. Reopen it, or open a new pull request.";
}

/** Why a run request was not taken, from the verdict that was just published. */
export function notRunnableReply(p: { verdict: RequestVerdict | null; runnerEnabled: boolean }): string {
  if (!p.runnerEnabled || p.verdict === null)
    return "Execution is not enabled on this querygate installation (review-only mode): nothing ran. The check and the status comment show the approval status.";
  const why: Record<RequestVerdict["state"], string> = {
    no_policy: "the base branch has no valid policy",
    no_requests: "this pull request has no request files",
    wrong_base: "it targets a base branch that may not receive requests",
    invalid: "some request files cannot run as written",
    denied: "the policy denies it",
    blocked: "a reviewer requested changes",
    needs_approval: "approvals are still missing",
    fork: "it comes from a fork, and querygate never runs those",
    already_ran: "every request file already ran on this pull request",
    ready: "",
  };
  return `Nothing ran: ${why[p.verdict.state]}. The status comment says what to do next.`;
}

/** Why a run request ran nothing: what it asked for already ran on this pull request (when, and its result). */
export function alreadyRanReply(runs: EarlierRun[]): string {
  const [only] = runs;
  const lead =
    runs.length === 1 && only
      ? `Nothing ran: ${inlineCode(only.requestPath)} already ran on this pull request — ${earlierRunOutcome(only)}.`
      : `Nothing ran: these request files already ran on this pull request.\n\n${runs.map((r) => `- ${earlierRunLine(r)}`).join("\n")}`;
  return `${lead}\n\n${RUNS_ONCE}`;
}

/**
 * What a run request queued: one line per request file, saying when one already ran (or is queued) — under
 * another path when the ledger found the same request there (`requestPath`: the file asked for).
 */
export function queuedReply(
  queued: Array<{ row: ExecutionRow; created: boolean; requestPath?: string }>,
): string {
  return queued
    .map(({ row, created, requestPath = row.requestPath }) =>
      created
        ? `- \`${requestPath}\` on \`${row.target}\`: queued`
        : `- \`${requestPath}\` on \`${row.target}\`: already ${row.state.replace("_", " ")}${requestPath === row.requestPath ? "" : ` as \`${row.requestPath}\``} — a request runs at most once (key \`${row.key.slice(0, 12)}\`)`,
    )
    .join("\n");
}
