import type { Context } from "probot";
import { CHECK_NAME } from "../github/limits.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { pullRequestRef } from "./pull-request-ref.js";

/**
 * rerequested re-evaluates every open pull request of the check's head commit. requested_action is the
 * runner's trigger; until the runner exists querygate offers no actions, so it is logged and ignored.
 */
export async function onCheckRun(deps: HandlerDeps, context: Context<"check_run">): Promise<void> {
  const { check_run: run, repository } = context.payload;
  if (run.name !== CHECK_NAME) return;
  if (context.payload.action === "requested_action") {
    context.log.warn(
      { check_run: run.id },
      "querygate offers no check run actions yet; ignoring requested_action",
    );
    return;
  }
  const owner = repository.owner.login;
  const repo = repository.name;
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: run.pull_requests.map((ref) => ref.number),
    work: async (pullNumber) => {
      const { data: pr } = await context.octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
      if (pr.state !== "open") return;
      await evaluatePullRequest({ ...deps, octokit: context.octokit }, pullRequestRef(repository, pr));
    },
  });
}
