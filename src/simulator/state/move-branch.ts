import type { RepoRecord, SimState } from "./sim-state.js";

/** Moves (or creates) a branch and attributes the app's not-yet-placed commits that the move brings onto it. */
export function moveBranch(
  state: SimState,
  p: { repo: RepoRecord; branch: string; from: string | undefined; to: string },
): void {
  p.repo.branches.set(p.branch, p.to);
  p.repo.pushedAt = state.clock.now();
  const arrived = new Set(state.git.commitsBetween(p.from, p.to).map((commit) => commit.sha));
  for (const record of state.appCommits) {
    if (record.repo === p.repo.fullName && record.branch === "" && arrived.has(record.sha))
      record.branch = p.branch;
  }
}
