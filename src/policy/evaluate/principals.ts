import type { Principal } from "../policy-types.js";

/** `@login` or `@org/slug`, as people write them in the policy. */
export function formatPrincipal(p: Principal): string {
  return p.kind === "user" ? `@${p.login}` : `@${p.org}/${p.slug}`;
}

/** GitHub logins and slugs compare case-insensitively. */
export function principalKey(p: Principal): string {
  return p.kind === "user"
    ? `user:${p.login.toLowerCase()}`
    : `team:${p.org.toLowerCase()}/${p.slug.toLowerCase()}`;
}

/** One key for a set of principals, whatever their order or duplicates. */
export function principalSetKey(principals: Principal[]): string {
  return [...new Set(principals.map(principalKey))].sort().join(" ");
}

/** `@a`, `@a or @b`, `@a, @b or @c`. */
export function formatPrincipals(principals: Principal[]): string {
  const names = principals.map(formatPrincipal);
  if (names.length <= 1) return names[0] ?? "nobody";
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}
