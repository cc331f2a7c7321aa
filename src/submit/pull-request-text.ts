import { PULL_TITLE_MAX_CHARS, TITLE_REASON_MAX_CHARS } from "./submit-limits.js";

export interface PullRequestText {
  title: string;
  body: string;
}

/**
 * Pure: the pull request's title and body for a submitted request — the title from the reason (shortened),
 * the body with the reason, the target, the file and who asked. Reviewers decide on the file; the body
 * only introduces it.
 */
export function buildPullRequestText(p: {
  reason: string;
  target: string;
  path: string;
  ticket?: string;
  requestedBy?: string;
  actorType?: "user" | "agent";
}): PullRequestText {
  const reason = p.reason.trim();
  const short =
    [...reason].length > TITLE_REASON_MAX_CHARS
      ? `${[...reason].slice(0, TITLE_REASON_MAX_CHARS - 1).join("")}…`
      : reason;
  const title = `${p.target}: ${short}`.slice(0, PULL_TITLE_MAX_CHARS);
  const lines = [
    `> ${reason}`,
    "",
    `- **Target:** \`${p.target}\``,
    `- **Request file:** \`${p.path}\``,
    ...(p.ticket ? [`- **Ticket:** ${p.ticket}`] : []),
    ...(p.requestedBy
      ? [`- **Requested by:** @${p.requestedBy}${p.actorType === "agent" ? " (an agent)" : ""}`]
      : []),
    "",
    "Submitted with `querygate submit`. querygate checks the request against the policy on the base branch and asks the owners for the approvals it needs; once approved, the author or an approver starts the run with the **Run** button.",
  ];
  return { title, body: lines.join("\n") };
}
