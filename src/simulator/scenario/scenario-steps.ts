import type { Simulator, SimulatorReport } from "../simulator.js";
import { GitHubRefusal } from "../steps/review-steps.js";
import type { GitHubScenario, ScenarioStep } from "./github-scenario.js";

export interface StepRecord {
  index: number;
  step: string;
  description: string;
  deliveries: Array<{ id: string; event: string; action: string | null; status: number; ms: number }>;
  pull_request: SimulatorReport["pull_requests"][number] | null;
  /** API calls the app made while handling this step's deliveries, by `METHOD route`. */
  api_calls: { total: number; by_route: Record<string, number> };
  /** Set when GitHub itself would refuse the step (e.g. an author approving their own pull request). */
  refused: string | null;
}

export interface RunScenarioStepsOptions {
  /** Called after each step's deliveries were answered: waits for what the receiver still does afterwards. */
  settle?: () => Promise<void>;
  onStep?: (record: StepRecord) => void;
  /** The check run whose buttons `click` steps press; without it, the newest run on the head offering the action. */
  clickCheckName?: string;
}

/** The repository, its branches, teams and collaborators (every step author gets write access). */
export function setUpScenarioRepository(sim: Simulator, scenario: GitHubScenario): void {
  const [owner] = scenario.repo.split("/") as [string, string];
  sim.createRepo({
    fullName: scenario.repo,
    defaultBranch: scenario.defaultBranch,
    files: nonNull(scenario.base),
  });
  for (const [name, files] of Object.entries(scenario.branches)) {
    sim.createBranch({ repo: scenario.repo, name, from: scenario.defaultBranch, files });
  }
  const collaborators = new Set(scenario.users);
  for (const [slug, members] of Object.entries(scenario.teams)) {
    sim.addTeam({ org: owner, slug, members });
    for (const m of members) collaborators.add(m);
  }
  for (const step of scenario.steps) {
    const p = Object.values(step)[0] as { author?: string; by?: string };
    if (p.author) collaborators.add(p.author);
  }
  for (const login of collaborators) sim.addCollaborator({ repo: scenario.repo, login, permission: "write" });
}

/** Performs the steps one at a time, as GitHub would, and records what each one caused. */
export async function runScenarioSteps(
  sim: Simulator,
  scenario: GitHubScenario,
  options: RunScenarioStepsOptions = {},
): Promise<StepRecord[]> {
  const steps: StepRecord[] = [];
  for (const [i, step] of scenario.steps.entries()) {
    const before = sim.deliveries.length;
    const callsBefore = sim.apiCalls.length;
    const { verb, pr, description } = describeStep(step);
    let refused: string | null = null;
    try {
      await performStep(sim, scenario.repo, step, options.clickCheckName);
    } catch (error) {
      if (!(error instanceof GitHubRefusal)) throw error;
      refused = error.message.replace(/^simulator: /, "");
    }
    await sim.idle();
    await options.settle?.();
    const report = sim.report();
    const record: StepRecord = {
      index: i + 1,
      step: verb,
      description,
      deliveries: sim.deliveries.slice(before).map((d) => ({ ...d })),
      pull_request: pr === null ? null : (report.pull_requests.find((p) => p.number === pr) ?? null),
      api_calls: countCalls(sim.apiCalls.slice(callsBefore)),
      refused,
    };
    steps.push(record);
    options.onStep?.(record);
  }
  return steps;
}

export function countCalls(calls: ReadonlyArray<{ method: string; route: string }>): StepRecord["api_calls"] {
  const byRoute: Record<string, number> = {};
  for (const call of calls) {
    const key = `${call.method} ${call.route}`;
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  }
  return { total: calls.length, by_route: byRoute };
}

async function performStep(
  sim: Simulator,
  repo: string,
  step: ScenarioStep,
  clickCheckName: string | undefined,
): Promise<void> {
  if ("open_pr" in step) {
    const s = step.open_pr;
    await sim.openPullRequest({
      repo,
      number: s.pr,
      author: s.author,
      files: s.files,
      base: s.base,
      title: s.title,
      body: s.body,
      fork: s.fork,
      coAuthors: s.co_authors,
    });
  } else if ("push" in step)
    await sim.push({ repo, number: step.push.pr, author: step.push.author, files: step.push.files });
  else if ("review" in step)
    await sim.review({
      repo,
      number: step.review.pr,
      by: step.review.by,
      state: step.review.state,
      body: step.review.body,
    });
  else if ("dismiss" in step) await sim.dismissReview({ repo, number: step.dismiss.pr, by: step.dismiss.by });
  else if ("comment" in step)
    await sim.comment({ repo, number: step.comment.pr, by: step.comment.by, body: step.comment.body });
  else if ("click" in step)
    await sim.clickCheckRunButton({
      repo,
      number: step.click.pr,
      by: step.click.by,
      action: step.click.action,
      ...(clickCheckName !== undefined ? { checkName: clickCheckName } : {}),
    });
  else if ("merge" in step) await sim.merge({ repo, number: step.merge.pr, by: step.merge.by });
  else if ("close" in step) await sim.close({ repo, number: step.close.pr });
  else if ("retarget" in step)
    await sim.retarget({ repo, number: step.retarget.pr, base: step.retarget.base });
  else if ("redeliver" in step) await sim.redeliver(step.redeliver.last);
}

function describeStep(step: ScenarioStep): { verb: string; pr: number | null; description: string } {
  const [verb, p] = Object.entries(step)[0] as [string, Record<string, unknown>];
  const pr = typeof p.pr === "number" ? p.pr : null;
  const who = (p.author ?? p.by) as string | undefined;
  const files = p.files ? Object.keys(p.files as object).join(", ") : "";
  const descriptions: Record<string, string> = {
    open_pr: `${who} opens #${pr}${files ? `: ${files}` : ""}`,
    push: `${who} pushes to #${pr}${files ? `: ${files}` : ""}`,
    review: `${who} reviews #${pr}: ${p.state}`,
    dismiss: `${who}'s review on #${pr} is dismissed`,
    comment: `${who} comments on #${pr}: ${String(p.body).split("\n")[0]}`,
    click: `${who} clicks "${p.action}" on #${pr}`,
    merge: `${who} merges #${pr}`,
    close: `#${pr} is closed`,
    retarget: `#${pr} is retargeted to ${p.base}`,
    redeliver: `GitHub redelivers the last ${p.last} deliveries`,
  };
  return { verb, pr, description: descriptions[verb] ?? verb };
}

function nonNull(files: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
}
