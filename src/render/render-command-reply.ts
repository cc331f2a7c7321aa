import type { RequestVerdict } from "../approvals/request-verdict.js";
import { COMMAND_PREFIX } from "../github/parse-command.js";
import type { ExecutionRow } from "../runner/ledger/execution-ledger.js";

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
    ready: "",
  };
  return `Nothing ran: ${why[p.verdict.state]}. The status comment says what to do next.`;
}

/** What a run request queued: one line per request file, saying when one already ran. */
export function queuedReply(queued: Array<{ row: ExecutionRow; created: boolean }>): string {
  return queued
    .map(({ row, created }) =>
      created
        ? `- \`${row.requestPath}\` on \`${row.target}\`: queued`
        : `- \`${row.requestPath}\` on \`${row.target}\`: already ${row.state.replace("_", " ")} — a request runs at most once (key \`${row.key.slice(0, 12)}\`)`,
    )
    .join("\n");
}
