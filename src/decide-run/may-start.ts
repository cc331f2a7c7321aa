import type { ApprovalStatus } from "../approvals/approval-types.js";
import type { RunTrigger } from "../audit/audit-types.js";
import type { RunBy } from "../policy/policy-types.js";

/** Server-side: the sender must be the author or a counting approver, as the policy's `run_by` says. */
export function mayStart(p: {
  runBy: RunBy[];
  sender: string;
  senderIsBot: boolean;
  author: string;
  approval: ApprovalStatus | null;
  trigger: RunTrigger;
}): string | null {
  if (p.trigger === "auto") return null;
  if (p.senderIsBot)
    return `Nothing ran: @${p.sender} is a bot, and bots never start runs — not even of their own requests. A person must: the author or an approver whose approval counted.`;
  const sender = p.sender.toLowerCase();
  if (p.runBy.includes("author") && sender === p.author.toLowerCase()) return null;
  const approvers = (p.approval?.approvals ?? []).filter((a) => a.ignored === null && a.counted.length > 0);
  if (p.runBy.includes("approvers") && approvers.some((a) => a.login.toLowerCase() === sender)) return null;
  const who = [
    p.runBy.includes("author") ? `the author (@${p.author})` : "",
    p.runBy.includes("approvers")
      ? `an approver whose approval counted${approvers.length ? ` (${approvers.map((a) => `@${a.login}`).join(", ")})` : ""}`
      : "",
  ].filter(Boolean);
  return `Nothing ran: @${p.sender} may not start this run. The policy lets ${who.join(" or ")} start it.`;
}
