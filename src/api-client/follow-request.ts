import type { ApiClient, ApiRequestStatus, RequestId } from "./api-client.js";
import { ApiClientError } from "./api-client.js";
import { FOLLOW_MAX_CONSECUTIVE_ERRORS } from "./api-client-limits.js";

/** How following a request ended. */
export type FollowOutcome =
  | "executed"
  | "failed"
  | "rolled_back"
  | "needs_verification"
  /**
   * It will not run as written: denied by policy, invalid, no valid policy, wrong base, a fork, nothing to run,
   * or it already ran on an earlier commit of the pull request.
   */
  | "denied"
  | "closed"
  | "timed_out";

export interface FollowResult {
  outcome: FollowOutcome;
  /** The request's state as the API last reported it (docs/api.md); "" when it was never read. */
  state: string;
  url: string;
  /** Where the request stands, in words: the recorded decision's title, what is awaited, or the outcome. */
  status: string;
  /** The result comment(s) of the execution, as markdown — masked columns are masked there already. */
  result: { markdown: string } | null;
  /** The API's last status answer (decision, missing approvals, executions); null once a result was read. */
  last: ApiRequestStatus | null;
}

export interface FollowRequestParams {
  api: ApiClient;
  id: RequestId;
  /** 0: one look, no waiting. */
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called whenever `status` changes while waiting (e.g. to print progress). */
  onStatus?: (status: string) => void;
}

/** States from which a request never runs without someone changing it first (already_ran: it ran before). */
const WILL_NOT_RUN = new Set([
  "denied",
  "invalid",
  "no_policy",
  "wrong_base",
  "fork",
  "no_requests",
  "already_ran",
]);

/**
 * Follows a request through the querygate HTTP API — which reads it from the app's state store, never from
 * comments or check runs anyone can write — until it ran (executed, failed, rolled back, needs
 * verification), will not run as written, is closed, or `timeoutMs` passes. Each poll asks for the status,
 * and for the result once the status says it was executed. A few transient errors in a row (5xx, network)
 * are ridden out, and the rate limit (429) is waited out as the API says; any other refusal is thrown as
 * the ApiClientError.
 */
export async function followRequest(p: FollowRequestParams): Promise<FollowResult> {
  const now = p.now ?? Date.now;
  const sleep = p.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + p.timeoutMs;
  let last: ApiRequestStatus | null = null;
  let status = "";
  let errors = 0;
  const say = (words: string) => {
    if (words === status) return;
    status = words;
    p.onStatus?.(status);
  };
  for (;;) {
    let wait = p.pollMs;
    try {
      last = await p.api.status(p.id);
      errors = 0;
      if (last.state === "executed") {
        const ran = await p.api.result(p.id);
        if (ran) {
          say(ran.status);
          return {
            outcome: ranOutcome(ran.outcome),
            state: last.state,
            url: ran.url,
            status,
            result: { markdown: ran.result.markdown },
            last: null,
          };
        }
      }
      say(describe(last));
      if (last.state === "closed" || WILL_NOT_RUN.has(last.state))
        return {
          outcome: last.state === "closed" ? "closed" : "denied",
          state: last.state,
          url: last.url,
          status,
          result: null,
          last,
        };
    } catch (caught) {
      if (!(caught instanceof ApiClientError)) throw caught;
      if (caught.status === 429) {
        // Over the token's rate limit: wait for the window the API names (not counted as an error).
        wait = Math.max(p.pollMs, (caught.retryAfterSeconds ?? 0) * 1000);
        say(
          `over the querygate API's rate limit for this token; asking again in ${Math.ceil(wait / 1000)} s`,
        );
      } else {
        const transient = caught.status === 0 || caught.status >= 500;
        if (!transient || ++errors >= FOLLOW_MAX_CONSECUTIVE_ERRORS) throw caught;
      }
    }
    const left = deadline - now();
    if (left <= 0)
      return {
        outcome: "timed_out",
        state: last?.state ?? "",
        url: last?.url ?? "",
        status: status || "not evaluated yet",
        result: null,
        last,
      };
    await sleep(Math.min(wait, left));
  }
}

/** The status in words, from what the API reported (the recorded decision's title is the check run's). */
function describe(s: ApiRequestStatus): string {
  const title = s.decision?.title ?? "";
  switch (s.state) {
    case "pending":
      return "waiting for querygate to evaluate the request";
    case "running":
    case "executed":
      return "running";
    case "closed":
      return "closed without running";
    case "ready":
      return `${title || "approved"} — waiting for the run`;
    case "needs_approval":
    case "blocked":
      return title || s.missing_approvals?.join(" ") || s.state.replace("_", " ");
    default:
      return title || s.state.replace("_", " ");
  }
}

function ranOutcome(outcome: string): FollowOutcome {
  return outcome === "executed" || outcome === "rolled_back" || outcome === "needs_verification"
    ? outcome
    : "failed";
}
