/** The part of a REST pull request commit that names people. */
export interface CommitPeople {
  author: { login?: string | null } | null;
  committer: { login?: string | null } | null;
  commit: {
    message: string;
    author?: { email?: string | null } | null;
    committer?: { email?: string | null } | null;
  };
}

/** GitHub's own committer for web edits and merges: it signs, it does not write code. */
const GITHUB_COMMITTER = "web-flow";
const CO_AUTHOR = /^co-authored-by:.*<([^>]+)>\s*$/gim;
/** `12345+login@users.noreply.github.com` or `login@users.noreply.github.com`. */
const NOREPLY = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i;

/**
 * Pure: everyone who wrote a commit of the pull request — authors, committers and `Co-authored-by`
 * co-authors whose address is a GitHub noreply address or the address of a linked author of another
 * commit here. None of them may approve it.
 */
export function commitAuthors(commits: readonly CommitPeople[]): string[] {
  const logins = new Set<string>();
  const byEmail = new Map<string, string>();
  for (const c of commits) {
    if (c.author?.login) {
      logins.add(c.author.login);
      if (c.commit.author?.email) byEmail.set(c.commit.author.email.toLowerCase(), c.author.login);
    }
    if (c.committer?.login && c.committer.login !== GITHUB_COMMITTER) {
      logins.add(c.committer.login);
      if (c.commit.committer?.email) byEmail.set(c.commit.committer.email.toLowerCase(), c.committer.login);
    }
  }
  for (const c of commits) {
    for (const match of c.commit.message.matchAll(CO_AUTHOR)) {
      const email = (match[1] ?? "").trim();
      const login = NOREPLY.exec(email)?.[1] ?? byEmail.get(email.toLowerCase());
      if (login) logins.add(login);
    }
  }
  return [...logins];
}
