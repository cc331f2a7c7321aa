import type { GitCommit, GitIdentity } from "../state/git-store.js";
import { nodeId, type ShapeContext } from "./shape-context.js";
import { userShape } from "./user-shape.js";

function identity(who: GitIdentity): Record<string, unknown> {
  return { name: who.name, email: who.email, date: who.date };
}

function verification(commit: GitCommit): Record<string, unknown> {
  return commit.verified
    ? { verified: true, reason: "valid", signature: null, payload: null, verified_at: commit.committer.date }
    : { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };
}

/** Git Data API commit (git.getCommit / git.createCommit). */
export function gitCommitShape(ctx: ShapeContext, repo: string, commit: GitCommit): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo}`;
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", commit.sha),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${ctx.urls.web}/${repo}/commit/${commit.sha}`,
    author: identity(commit.author),
    committer: identity(commit.committer),
    message: commit.message,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${ctx.urls.web}/${repo}/commit/${sha}`,
    })),
    verification: verification(commit),
  };
}

/** REST commit (repos.getCommit, repos.listCommits, pulls.listCommits); `files` only for getCommit. */
export function repoCommitShape(
  ctx: ShapeContext,
  repo: string,
  commit: GitCommit,
  files?: ReadonlyArray<Record<string, unknown>>,
): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo}`;
  const shape: Record<string, unknown> = {
    sha: commit.sha,
    node_id: nodeId("Commit", commit.sha),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${ctx.urls.web}/${repo}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: identity(commit.author),
      committer: identity(commit.committer),
      message: commit.message,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      comment_count: 0,
      verification: verification(commit),
    },
    author: commit.author.login ? userShape(ctx, commit.author.login) : null,
    committer: commit.committer.login ? userShape(ctx, commit.committer.login) : null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${ctx.urls.web}/${repo}/commit/${sha}`,
    })),
  };
  if (files) {
    const additions = files.reduce((sum, f) => sum + Number(f.additions ?? 0), 0);
    const deletions = files.reduce((sum, f) => sum + Number(f.deletions ?? 0), 0);
    shape.stats = { total: additions + deletions, additions, deletions };
    shape.files = files;
  }
  return shape;
}
