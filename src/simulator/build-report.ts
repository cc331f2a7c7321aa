import { diffCommits, pullDiffBase } from "./diff/pull-files.js";
import type { SimState } from "./state/sim-state.js";

export interface SimulatorReport {
  repo: string;
  pull_requests: Array<{
    number: number;
    title: string;
    author: string;
    state: "open" | "closed" | "merged";
    base: string;
    head_sha: string;
    check_runs: Array<{
      id: number;
      name: string;
      head_sha: string;
      status: string;
      conclusion: string | null;
      title: string | null;
      summary: string | null;
      text: string | null;
      annotations: Array<{
        path: string;
        start_line: number;
        end_line: number;
        annotation_level: string;
        message: string;
        title?: string;
      }>;
      actions: Array<{ label: string; identifier: string; description: string }>;
      external_id: string | null;
    }>;
    comments: Array<{ id: number; by: string; body: string; reactions: string[] }>;
    requested_reviewers: { users: string[]; teams: string[] };
    reviews: Array<{ id: number; by: string; state: string; commit_id: string }>;
  }>;
  commits: Array<{ branch: string; sha: string; message: string; files: Record<string, string | null> }>;
}

/** A stable, JSON-ready picture of what the app did: ids and times come from the simulator's counters and clock. */
export function buildReport(state: SimState): SimulatorReport {
  const firstRepo = [...state.repos.values()].find((repo) => !repo.fork);
  return {
    repo: firstRepo?.fullName ?? "",
    pull_requests: state.pulls.map((pr) => {
      // Runs on any commit the PR has had as head, not just the current one.
      const prCommits = new Set(
        state.git.commitsBetween(pullDiffBase(state, pr), pr.headSha).map((c) => c.sha),
      );
      return {
        number: pr.number,
        title: pr.title,
        author: pr.author,
        state: pr.merged ? "merged" : pr.state,
        base: pr.baseRef,
        head_sha: pr.headSha,
        check_runs: state.checkRuns
          .filter((run) => run.repo === pr.repo && prCommits.has(run.headSha))
          .map((run) => ({
            id: run.id,
            name: run.name,
            head_sha: run.headSha,
            status: run.status,
            conclusion: run.conclusion,
            title: run.title,
            summary: run.summary,
            text: run.text,
            annotations: run.annotations.map((a) => ({
              path: a.path,
              start_line: a.start_line,
              end_line: a.end_line,
              annotation_level: a.annotation_level,
              message: a.message,
              ...(a.title !== undefined ? { title: a.title } : {}),
            })),
            actions: run.actions.map((a) => ({ ...a })),
            external_id: run.externalId,
          })),
        comments: state.comments
          .filter((c) => c.repo === pr.repo && c.number === pr.number)
          .map((c) => ({ id: c.id, by: c.user, body: c.body, reactions: c.reactions.map((r) => r.content) })),
        requested_reviewers: { users: [...pr.requestedUsers], teams: [...pr.requestedTeams] },
        reviews: state.reviews
          .filter((r) => r.repo === pr.repo && r.number === pr.number)
          .map((r) => ({ id: r.id, by: r.user, state: r.state, commit_id: r.commitId })),
      };
    }),
    commits: state.appCommits.map((record) => {
      const commit = state.git.getCommit(record.sha);
      const parent = commit?.parents[0] ?? "";
      const files: Record<string, string | null> = {};
      for (const file of diffCommits(state, parent, record.sha)) {
        if (file.previous_filename) files[file.previous_filename] = null;
        files[file.filename] = file.status === "removed" ? null : (state.git.getBlob(file.sha) ?? "");
      }
      return { branch: record.branch, sha: record.sha, message: commit?.message ?? "", files };
    }),
  };
}
