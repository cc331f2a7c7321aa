import type { Principal } from "../policy/policy-types.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface RequestReviewsParams extends RepoRef {
  octokit: GitHubClient;
  pullNumber: number;
  author: string;
  /** Who is already requested, so a re-evaluation asks nobody twice. */
  alreadyRequested: { users: string[]; teams: string[] };
  /** Everyone whose approval is still missing. */
  needed: Principal[];
}

export interface RequestReviewsResult {
  users: string[];
  teams: string[];
  /** Requests GitHub refused (not a collaborator, team without access …): shown in the summary, never fatal. */
  problems: string[];
}

/** Asks the still-needed users and teams of the repository's organisation for a review. */
export async function requestReviews(p: RequestReviewsParams): Promise<RequestReviewsResult> {
  const lower = (s: string) => s.toLowerCase();
  const requestedUsers = new Set(p.alreadyRequested.users.map(lower));
  const requestedTeams = new Set(p.alreadyRequested.teams.map(lower));
  const users = new Set<string>();
  const teams = new Set<string>();
  const problems: string[] = [];
  for (const principal of p.needed) {
    if (principal.kind === "user") {
      // GitHub refuses a review request to the author; the author could not approve anyway.
      if (lower(principal.login) === lower(p.author) || requestedUsers.has(lower(principal.login))) continue;
      users.add(principal.login);
    } else if (lower(principal.org) !== lower(p.owner)) {
      problems.push(
        `@${principal.org}/${principal.slug} belongs to another organisation, so its review cannot be requested here`,
      );
    } else if (!requestedTeams.has(lower(principal.slug))) {
      teams.add(principal.slug);
    }
  }
  if (users.size === 0 && teams.size === 0) return { users: [], teams: [], problems };
  const ask = (reviewers: string[], teamReviewers: string[]) =>
    p.octokit.rest.pulls.requestReviewers({
      owner: p.owner,
      repo: p.repo,
      pull_number: p.pullNumber,
      reviewers,
      team_reviewers: teamReviewers,
    });
  try {
    await ask([...users], [...teams]);
    return { users: [...users], teams: [...teams], problems };
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  // One refused reviewer fails the whole batch: ask one at a time to find who.
  const done: RequestReviewsResult = { users: [], teams: [], problems };
  for (const user of users) {
    try {
      await ask([user], []);
      done.users.push(user);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      problems.push(`GitHub refused to request a review from @${user}: ${(error as Error).message}`);
    }
  }
  for (const team of teams) {
    try {
      await ask([], [team]);
      done.teams.push(team);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      problems.push(
        `GitHub refused to request a review from @${p.owner}/${team}: ${(error as Error).message}`,
      );
    }
  }
  return done;
}

function isRefusal(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status === 422 || status === 404;
}
