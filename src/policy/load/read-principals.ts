import type { KeyPath } from "../../yaml/key-path.js";
import { type ReadContext, readStringList } from "../../yaml/read-context.js";
import type { Principal } from "../policy-types.js";

/** GitHub's login format (also an organisation's). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** GitHub's team slug: what `@org/slug` mentions and the API use; display names differ. */
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]*$/;

/** `@org/team-slug` → team; `@login` or `login` → user. */
export function parsePrincipal(
  text: string,
): { ok: true; principal: Principal } | { ok: false; error: string } {
  const team = /^@([^/]*)\/(.*)$/.exec(text);
  if (team) {
    const org = team[1] ?? "";
    const slug = team[2] ?? "";
    if (!LOGIN.test(org)) {
      return { ok: false, error: `\`${text}\`: \`${org}\` is not a GitHub organisation name` };
    }
    if (TEAM_SLUG.test(slug)) return { ok: true, principal: { kind: "team", org, slug } };
    const suggestion = slugify(slug);
    return {
      ok: false,
      error: `\`${text}\` is not a team slug: use the team's slug (lowercase, dashes), e.g. @${org}/${suggestion || "data-owners"}`,
    };
  }
  const login = text.startsWith("@") ? text.slice(1) : text;
  if (LOGIN.test(login)) return { ok: true, principal: { kind: "user", login } };
  return {
    ok: false,
    error: `\`${text}\` is neither a GitHub user (\`dana\` or \`@dana\`) nor a team (\`@org/team-slug\`)`,
  };
}

/** A list of principals (one string stands for a list of one); empty lists are refused by readStringList. */
export function readPrincipals(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): Principal[] | null {
  const principals: Principal[] = [];
  const items = readStringList(ctx, {
    value,
    path,
    check: (item) => {
      const parsed = parsePrincipal(item);
      if (!parsed.ok) return parsed.error;
      principals.push(parsed.principal);
      return null;
    },
  });
  return items ? principals : null;
}

function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
