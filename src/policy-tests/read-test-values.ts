import { closestName } from "../yaml/closest-name.js";
import type { TeamMembers } from "./simulate-approvals.js";

/** One mistake in a test file (or a teams file), at a dotted key such as `cases[2].expect.decision`. */
export interface ValueProblem {
  key: string;
  message: string;
}

/** GitHub logins: letters, digits and single hyphens, at most 39 characters; apps end in `[bot]`. */
const LOGIN = /^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/;
/** A team as `slug`, `org/slug` or `@org/slug`. */
const TEAM_KEY = /^@?(?:[A-Za-z0-9][A-Za-z0-9-]{0,38}\/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** Reports every key not in `known`, with the closest known key when one is near. */
export function checkKeys(
  value: Record<string, unknown>,
  where: string,
  known: readonly string[],
  problems: ValueProblem[],
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = closestName(key, known);
    problems.push({
      key: join(where, key),
      message: `unknown key \`${key}\`${hint ? ` — did you mean \`${hint}\`?` : ""} (known: ${known.join(", ")})`,
    });
  }
}

export function loginList(value: unknown, where: string, problems: ValueProblem[]): string[] {
  if (!Array.isArray(value)) {
    problems.push({ key: where, message: "must be a list of GitHub logins, e.g. [dana, dmitri]" });
    return [];
  }
  const logins: string[] = [];
  value.forEach((item, i) => {
    if (typeof item === "string" && LOGIN.test(item)) logins.push(item.replace(/^@/, ""));
    else problems.push({ key: `${where}[${i}]`, message: `${JSON.stringify(item)} is not a GitHub login` });
  });
  return logins;
}

export function login(value: unknown, where: string, problems: ValueProblem[]): string | null {
  if (typeof value === "string" && LOGIN.test(value)) return value.replace(/^@/, "");
  problems.push({ key: where, message: `must be a GitHub login, e.g. alice — got ${JSON.stringify(value)}` });
  return null;
}

/** `{ dba: [dana, dmitri], "acme/privacy": [pia] }`: a bare slug applies to a team of that slug in any org. */
export function teamMembers(value: unknown, where: string, problems: ValueProblem[]): TeamMembers {
  const teams: TeamMembers = {};
  if (!isRecord(value)) {
    problems.push({
      key: where,
      message: "must map a team slug to its members, e.g. { dba: [dana, dmitri] }",
    });
    return teams;
  }
  for (const [slug, members] of Object.entries(value)) {
    if (!TEAM_KEY.test(slug)) {
      problems.push({
        key: join(where, slug),
        message: `\`${slug}\` is not a team: write its slug (\`dba\`) or \`org/slug\` (\`acme/dba\`)`,
      });
      continue;
    }
    teams[slug] = loginList(members ?? [], join(where, slug), problems);
  }
  return teams;
}

export function stringList(value: unknown, where: string, problems: ValueProblem[]): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === "string" && v !== "")) return value as string[];
  problems.push({ key: where, message: "must be a list of non-empty strings" });
  return [];
}

export function join(where: string, key: string): string {
  return where === "" ? key : `${where}.${key}`;
}
