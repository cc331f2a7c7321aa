import { MAX_PULL_FILES } from "../simulator-limits.js";
import type { PullRecord, SimState } from "../state/sim-state.js";
import { unifiedDiff } from "./unified-diff.js";

export interface PullFile {
  filename: string;
  status: "added" | "modified" | "removed" | "renamed";
  /** Blob sha of the file at the head (at the base for removed files). */
  sha: string;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
}

/**
 * The commit GitHub diffs a pull request against: the merge base of its head and its base branch
 * (for a merged PR, the base as it was just before the merge, which `merge` records in `baseSha`).
 */
export function pullDiffBase(state: SimState, pr: PullRecord): string {
  const repo = state.repos.get(pr.repo.toLowerCase());
  const baseHead = pr.merged ? pr.baseSha : (repo?.branches.get(pr.baseRef) ?? pr.baseSha);
  return state.git.mergeBase(pr.headSha, baseHead) ?? pr.baseSha;
}

export function diffCommits(state: SimState, baseSha: string, headSha: string): PullFile[] {
  const baseTree = state.git.getTree(state.git.getCommit(baseSha)?.tree ?? "") ?? new Map<string, string>();
  const headTree = state.git.getTree(state.git.getCommit(headSha)?.tree ?? "") ?? new Map<string, string>();
  const added = [...headTree.keys()].filter((path) => !baseTree.has(path));
  const removed = [...baseTree.keys()].filter((path) => !headTree.has(path));
  const modified = [...headTree.keys()].filter(
    (path) => baseTree.has(path) && baseTree.get(path) !== headTree.get(path),
  );

  const files: PullFile[] = [];
  const renamedFrom = new Set<string>();
  for (const path of added) {
    const blob = headTree.get(path) as string;
    const from = removed.find((old) => !renamedFrom.has(old) && baseTree.get(old) === blob);
    const content = state.git.getBlob(blob) ?? "";
    if (from) {
      renamedFrom.add(from);
      files.push({
        filename: path,
        status: "renamed",
        sha: blob,
        additions: 0,
        deletions: 0,
        changes: 0,
        previous_filename: from,
      });
      continue;
    }
    const diff = unifiedDiff(null, content);
    files.push(fileEntry({ filename: path, status: "added", sha: blob, diff }));
  }
  for (const path of removed.filter((p) => !renamedFrom.has(p))) {
    const blob = baseTree.get(path) as string;
    const diff = unifiedDiff(state.git.getBlob(blob) ?? "", null);
    files.push(fileEntry({ filename: path, status: "removed", sha: blob, diff }));
  }
  for (const path of modified) {
    const blob = headTree.get(path) as string;
    const diff = unifiedDiff(
      state.git.getBlob(baseTree.get(path) as string) ?? "",
      state.git.getBlob(blob) ?? "",
    );
    files.push(fileEntry({ filename: path, status: "modified", sha: blob, diff }));
  }
  files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  return files.slice(0, MAX_PULL_FILES);
}

function fileEntry(p: {
  filename: string;
  status: PullFile["status"];
  sha: string;
  diff: { patch: string; additions: number; deletions: number };
}): PullFile {
  return {
    filename: p.filename,
    status: p.status,
    sha: p.sha,
    additions: p.diff.additions,
    deletions: p.diff.deletions,
    changes: p.diff.additions + p.diff.deletions,
    ...(p.diff.patch ? { patch: p.diff.patch } : {}),
  };
}

export function pullFiles(state: SimState, pr: PullRecord): PullFile[] {
  return diffCommits(state, pullDiffBase(state, pr), pr.headSha);
}
