import { createHash } from "node:crypto";

export interface GitIdentity {
  /** GitHub login the identity resolves to, or null when the email matches no user. */
  login: string | null;
  name: string;
  email: string;
  date: string;
}

export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
  /** GitHub signs commits that apps and the web UI make; the simulator marks those as verified. */
  verified: boolean;
}

/** A tree is kept flat: full path → blob sha. Sub-trees are derived (and stored) on demand. */
export type FlatTree = ReadonlyMap<string, string>;

export interface GitTreeEntry {
  path: string;
  mode: "100644" | "040000";
  type: "blob" | "tree";
  sha: string;
  size?: number;
}

export interface GitStore {
  putBlob(content: string): string;
  getBlob(sha: string): string | undefined;
  putTree(entries: FlatTree): string;
  getTree(sha: string): FlatTree | undefined;
  putCommit(commit: Omit<GitCommit, "sha">): string;
  getCommit(sha: string): GitCommit | undefined;
  /** Path → content of a commit's tree. */
  readFiles(commitSha: string): Map<string, string>;
  /** A new tree: `base` with `changes` applied (null deletes a path). */
  writeFiles(base: FlatTree, changes: Record<string, string | null>): string;
  /** Entries of a tree, one level deep or recursively, with sub-trees made addressable. */
  listTree(sha: string, recursive: boolean): GitTreeEntry[] | undefined;
  isAncestor(ancestor: string, descendant: string): boolean;
  mergeBase(a: string, b: string): string | undefined;
  /** Commits reachable from `head` and not from `exclude`, newest first. */
  commitsBetween(exclude: string | undefined, head: string): GitCommit[];
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export function createGitStore(): GitStore {
  const blobs = new Map<string, string>();
  const trees = new Map<string, FlatTree>();
  const commits = new Map<string, GitCommit>();

  const putBlob = (content: string): string => {
    const sha = sha1(`blob ${Buffer.byteLength(content)}\0${content}`);
    blobs.set(sha, content);
    return sha;
  };

  const putTree = (entries: FlatTree): string => {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = sha1(`tree\0${sorted.map(([path, blob]) => `${path}\0${blob}`).join("\n")}`);
    if (!trees.has(sha)) trees.set(sha, new Map(sorted));
    return sha;
  };

  const ancestors = (sha: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(commits.get(next)?.parents ?? []));
    }
    return seen;
  };

  return {
    putBlob,
    getBlob: (sha) => blobs.get(sha),
    putTree,
    getTree: (sha) => trees.get(sha),
    putCommit(commit) {
      const header = [
        `tree ${commit.tree}`,
        ...commit.parents.map((p) => `parent ${p}`),
        `author ${commit.author.name} <${commit.author.email}> ${commit.author.date}`,
        `committer ${commit.committer.name} <${commit.committer.email}> ${commit.committer.date}`,
      ].join("\n");
      const sha = sha1(`commit\0${header}\n\n${commit.message}`);
      if (!commits.has(sha)) commits.set(sha, { ...commit, sha });
      return sha;
    },
    getCommit: (sha) => commits.get(sha),
    readFiles(commitSha) {
      const commit = commits.get(commitSha);
      const tree = commit ? trees.get(commit.tree) : undefined;
      if (!tree) throw new Error(`simulator git store: no commit ${commitSha}`);
      return new Map([...tree].map(([path, blob]) => [path, blobs.get(blob) ?? ""]));
    },
    writeFiles(base, changes) {
      const next = new Map(base);
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) next.delete(path);
        else next.set(path, putBlob(content));
      }
      return putTree(next);
    },
    listTree(sha, recursive) {
      const tree = trees.get(sha);
      if (!tree) return undefined;
      const entries = new Map<string, GitTreeEntry>();
      for (const [path, blob] of tree) {
        const parts = path.split("/");
        for (let depth = 1; depth < parts.length; depth++) {
          const dir = parts.slice(0, depth).join("/");
          if (!recursive && depth > 1) break;
          if (!entries.has(dir)) {
            const prefix = `${dir}/`;
            const sub = new Map(
              [...tree].filter(([p]) => p.startsWith(prefix)).map(([p, b]) => [p.slice(prefix.length), b]),
            );
            entries.set(dir, { path: dir, mode: "040000", type: "tree", sha: putTree(sub) });
          }
        }
        if (recursive || parts.length === 1) {
          entries.set(path, {
            path,
            mode: "100644",
            type: "blob",
            sha: blob,
            size: Buffer.byteLength(blobs.get(blob) ?? ""),
          });
        }
      }
      return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    isAncestor: (ancestor, descendant) => ancestors(descendant).has(ancestor),
    mergeBase(a, b) {
      const ofB = ancestors(b);
      const queue = [a];
      const seen = new Set<string>();
      while (queue.length > 0) {
        const next = queue.shift() as string;
        if (ofB.has(next)) return next;
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(...(commits.get(next)?.parents ?? []));
      }
      return undefined;
    },
    commitsBetween(exclude, head) {
      const excluded = exclude ? ancestors(exclude) : new Set<string>();
      const result: GitCommit[] = [];
      const queue = [head];
      const seen = new Set<string>();
      while (queue.length > 0) {
        const next = queue.shift() as string;
        if (seen.has(next) || excluded.has(next)) continue;
        seen.add(next);
        const commit = commits.get(next);
        if (!commit) continue;
        result.push(commit);
        queue.push(...commit.parents);
      }
      return result;
    },
  };
}
