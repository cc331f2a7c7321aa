import { pullDiffBase, pullFiles } from "../diff/pull-files.js";
import { findTeam, type PullRecord, type RepoRecord } from "../state/sim-state.js";
import { authorAssociation } from "./author-association.js";
import { labelShape, teamShape } from "./label-and-team-shapes.js";
import { repoShape } from "./repo-shape.js";
import { nodeId, type ShapeContext } from "./shape-context.js";
import { userShape } from "./user-shape.js";

function repoOf(ctx: ShapeContext, fullName: string): RepoRecord {
  const repo = ctx.state.repos.get(fullName.toLowerCase());
  if (!repo) throw new Error(`simulator: pull request refers to unknown repository ${fullName}`);
  return repo;
}

/** The base branch's sha as GitHub reports it: current for open PRs, frozen once closed. */
export function pullBaseSha(ctx: ShapeContext, pr: PullRecord): string {
  if (pr.state !== "open") return pr.baseSha;
  return repoOf(ctx, pr.repo).branches.get(pr.baseRef) ?? pr.baseSha;
}

/** `pull-request-simple` (what pulls.list returns). */
export function pullSimpleShape(ctx: ShapeContext, pr: PullRecord): Record<string, unknown> {
  const repo = repoOf(ctx, pr.repo);
  const headRepo = repoOf(ctx, pr.headRepo);
  const api = `${ctx.urls.api}/repos/${pr.repo}`;
  const url = `${api}/pulls/${pr.number}`;
  const html = `${ctx.urls.web}/${pr.repo}/pull/${pr.number}`;
  const teams = pr.requestedTeams
    .map((slug) => findTeam(ctx.state, repo.owner, slug))
    .filter((team) => team !== undefined)
    .map((team) => teamShape(ctx, team));
  return {
    url,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userShape(ctx, pr.author),
    body: pr.body,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.requestedUsers.map((login) => userShape(ctx, login)),
    requested_teams: teams,
    labels: pr.labels
      .map((name) => repo.labels.get(name.toLowerCase()))
      .filter((label) => label !== undefined)
      .map((label) => labelShape(ctx, pr.repo, label)),
    milestone: null,
    draft: false,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    head: {
      label: `${headRepo.owner}:${pr.headRef}`,
      ref: pr.headRef,
      sha: pr.headSha,
      user: userShape(ctx, headRepo.owner),
      repo: repoShape(ctx, headRepo),
    },
    base: {
      label: `${repo.owner}:${pr.baseRef}`,
      ref: pr.baseRef,
      sha: pullBaseSha(ctx, pr),
      user: userShape(ctx, repo.owner),
      repo: repoShape(ctx, repo),
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${api}/issues/${pr.number}` },
      comments: { href: `${api}/issues/${pr.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${pr.headSha}` },
    },
    author_association: authorAssociation(ctx.state, pr.repo, pr.author),
    auto_merge: null,
    active_lock_reason: null,
  };
}

/** The full `pull-request` object (pulls.get and webhook `pull_request`). */
export function pullShape(ctx: ShapeContext, pr: PullRecord): Record<string, unknown> {
  const files = pullFiles(ctx.state, pr);
  const commits = ctx.state.git.commitsBetween(pullDiffBase(ctx.state, pr), pr.headSha);
  const open = pr.state === "open";
  return {
    ...pullSimpleShape(ctx, pr),
    merged: pr.merged,
    mergeable: open ? true : null,
    rebaseable: open ? true : null,
    mergeable_state: open ? "clean" : "unknown",
    merged_by: pr.mergedBy ? userShape(ctx, pr.mergedBy) : null,
    comments: ctx.state.comments.filter((c) => c.repo === pr.repo && c.number === pr.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: commits.length,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    changed_files: files.length,
  };
}
