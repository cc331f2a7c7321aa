import path from "node:path";
import { load } from "js-yaml";
import type { Actor } from "../policy/policy-types.js";
import { closestName } from "../yaml/closest-name.js";
import {
  checkKeys,
  isRecord,
  join,
  login,
  loginList,
  stringList,
  teamMembers,
  type ValueProblem,
} from "./read-test-values.js";
import type { SimulatedOutcome, TeamMembers } from "./simulate-approvals.js";
import { lineOf, yamlLines } from "./yaml-lines.js";

/** Cases one test file may hold; split a larger suite into several files. */
export const MAX_CASES_PER_FILE = 500;
/** Longest case name: it is printed on one line of `policy test` output. */
export const MAX_CASE_NAME_CHARS = 200;
/** Who wrote a test's request unless the case says `author:`. */
export const DEFAULT_TEST_AUTHOR = "requester";
/** The path an inline request is evaluated under unless the case says `path:`. */
export const DEFAULT_TEST_REQUEST_PATH = "queries/policy-test.sql";

export const TEST_FILE_KEYS = ["cases", "teams"] as const;
export const CASE_KEYS = [
  "name",
  "request",
  "path",
  "author",
  "actor",
  "labels",
  "params",
  "approved_by",
  "teams",
  "now",
  "expect",
] as const;
export const EXPECT_KEYS = ["decision", "missing", "denied_by", "requirements_include"] as const;
const DECISIONS: readonly SimulatedOutcome[] = ["approved", "needs_approval", "denied", "auto"];
const ACTORS: readonly Actor[] = ["user", "bot", "agent"];

export type TestRequest = { kind: "inline"; text: string; path: string } | { kind: "file"; file: string };

export interface PolicyTestExpectation {
  decision: SimulatedOutcome;
  /** Requirement id, or a substring of one requirement's id or label → approvals still missing. */
  missing: Record<string, number>;
  deniedBy: string | null;
  requirementsInclude: string[];
}

export interface PolicyTestCase {
  name: string;
  line: number;
  request: TestRequest;
  author: string;
  actor: Actor;
  labels: string[];
  params: Record<string, string | number | boolean | null> | undefined;
  approvedBy: string[];
  teams: TeamMembers;
  now: Date | null;
  expect: PolicyTestExpectation;
}

export interface TestFileProblem {
  line: number;
  key: string;
  message: string;
  /** The case the problem is in: its position in `cases`, its name (else `cases[i]`) and its first line. */
  inCase: { index: number; name: string; line: number } | null;
}

/** Validates one test file strictly; a case with problems is reported and left out, the others still run. */
export function parsePolicyTests(file: { path: string; content: string }): {
  cases: PolicyTestCase[];
  problems: TestFileProblem[];
} {
  let doc: unknown;
  try {
    doc = load(file.content);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    return {
      cases: [],
      problems: [
        { line: (mark?.line ?? 0) + 1, key: "", message: `not valid YAML: ${reason}`, inCase: null },
      ],
    };
  }
  const lines = yamlLines(file.content);
  const at = (problem: ValueProblem, inCase: TestFileProblem["inCase"] = null): TestFileProblem => ({
    line: lineOf(lines, problem.key),
    key: problem.key,
    message: problem.message,
    inCase,
  });

  const fileProblems: ValueProblem[] = [];
  if (isRecord(doc)) checkKeys(doc, "", TEST_FILE_KEYS, fileProblems);
  if (!isRecord(doc) || !Array.isArray(doc.cases) || doc.cases.length === 0) {
    fileProblems.push({
      key: isRecord(doc) ? "cases" : "",
      message:
        "a policy test file is a mapping with `cases:`, a non-empty list of cases (see docs in run-policy-tests.ts)",
    });
    return { cases: [], problems: fileProblems.map((p) => at(p)) };
  }
  const sharedTeams = doc.teams === undefined ? {} : teamMembers(doc.teams, "teams", fileProblems);
  if (doc.cases.length > MAX_CASES_PER_FILE) {
    fileProblems.push({
      key: "cases",
      message: `${doc.cases.length} cases, over the limit of ${MAX_CASES_PER_FILE}: split them over several files`,
    });
  }
  const problems = fileProblems.map((p) => at(p));
  const cases: PolicyTestCase[] = [];
  const names = new Map<string, number>();
  doc.cases.slice(0, MAX_CASES_PER_FILE).forEach((raw, i) => {
    const where = `cases[${i}]`;
    const caseProblems: ValueProblem[] = [];
    const parsed = parseCase({ raw, where, sharedTeams, line: lineOf(lines, where), problems: caseProblems });
    const name = isRecord(raw) && typeof raw.name === "string" ? raw.name : null;
    if (name !== null) {
      const first = names.get(name);
      if (first !== undefined) {
        caseProblems.push({
          key: join(where, "name"),
          message: `another case on line ${first} has this name: give each case its own name`,
        });
      } else names.set(name, lineOf(lines, where));
    }
    const inCase = { index: i, name: name ?? where, line: lineOf(lines, where) };
    problems.push(...caseProblems.map((p) => at(p, inCase)));
    if (parsed && caseProblems.length === 0) cases.push(parsed);
  });
  return { cases, problems };
}

function parseCase(p: {
  raw: unknown;
  where: string;
  sharedTeams: TeamMembers;
  line: number;
  problems: ValueProblem[];
}): PolicyTestCase | null {
  const { raw, where, problems } = p;
  if (!isRecord(raw)) {
    problems.push({ key: where, message: "a case is a mapping with `name`, `request` and `expect`" });
    return null;
  }
  checkKeys(raw, where, CASE_KEYS, problems);
  for (const key of ["name", "request", "expect"]) {
    if (raw[key] === undefined) problems.push({ key: join(where, key), message: `is required` });
  }
  const name = typeof raw.name === "string" ? raw.name.trim() : "";
  if (raw.name !== undefined && (name === "" || name.length > MAX_CASE_NAME_CHARS)) {
    problems.push({
      key: join(where, "name"),
      message: `must be a non-empty string of at most ${MAX_CASE_NAME_CHARS} characters`,
    });
  }
  const request = raw.request === undefined ? null : parseRequest(raw, where, problems);
  const author =
    raw.author === undefined ? DEFAULT_TEST_AUTHOR : login(raw.author, join(where, "author"), problems);
  let actor: Actor = "user";
  if (raw.actor !== undefined) {
    if (ACTORS.includes(raw.actor as Actor)) actor = raw.actor as Actor;
    else problems.push({ key: join(where, "actor"), message: `must be one of ${ACTORS.join(", ")}` });
  }
  const labels = raw.labels === undefined ? [] : stringList(raw.labels, join(where, "labels"), problems);
  const params =
    raw.params === undefined ? undefined : parseParams(raw.params, join(where, "params"), problems);
  const approvedBy =
    raw.approved_by === undefined ? [] : loginList(raw.approved_by, join(where, "approved_by"), problems);
  const ownTeams = raw.teams === undefined ? {} : teamMembers(raw.teams, join(where, "teams"), problems);
  const now = raw.now === undefined ? null : parseNow(raw.now, join(where, "now"), problems);
  const expect = raw.expect === undefined ? null : parseExpect(raw.expect, join(where, "expect"), problems);
  if (!request || author === null || !expect || problems.length > 0) return null;
  return {
    name,
    line: p.line,
    request,
    author,
    actor,
    labels,
    params,
    approvedBy,
    teams: { ...p.sharedTeams, ...ownTeams },
    now,
    expect,
  };
}

function parseRequest(
  raw: Record<string, unknown>,
  where: string,
  problems: ValueProblem[],
): TestRequest | null {
  const key = join(where, "request");
  const value = raw.request;
  if (typeof value === "string") {
    if (raw.path !== undefined && !isRelativePath(raw.path)) {
      problems.push({ key: join(where, "path"), message: "must be a relative path such as queries/fix.sql" });
      return null;
    }
    return {
      kind: "inline",
      text: value,
      path: (raw.path as string | undefined) ?? DEFAULT_TEST_REQUEST_PATH,
    };
  }
  if (isRecord(value)) {
    checkKeys(value, key, ["file"], problems);
    if (!isRelativePath(value.file)) {
      problems.push({
        key: join(key, "file"),
        message: "must be a path relative to the tests folder, e.g. requests/fix-order.sql",
      });
      return null;
    }
    if (raw.path !== undefined) {
      problems.push({
        key: join(where, "path"),
        message: "a request read from a file is evaluated under that file's path: remove `path`",
      });
    }
    return { kind: "file", file: value.file };
  }
  problems.push({
    key,
    message: "must be the request's SQL with its header (a YAML block `|`) or { file: relative/path.sql }",
  });
  return null;
}

function isRelativePath(value: unknown): value is string {
  return typeof value === "string" && value !== "" && !path.isAbsolute(value) && !value.includes("\\");
}

function parseParams(
  value: unknown,
  where: string,
  problems: ValueProblem[],
): Record<string, string | number | boolean | null> {
  const params: Record<string, string | number | boolean | null> = {};
  if (!isRecord(value)) {
    problems.push({ key: where, message: "must map a parameter name to its value, e.g. { order_id: 42 }" });
    return params;
  }
  for (const [name, v] of Object.entries(value)) {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      params[name] = v;
    else problems.push({ key: join(where, name), message: "must be a string, number, boolean or null" });
  }
  return params;
}

function parseNow(value: unknown, where: string, problems: ValueProblem[]): Date | null {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null;
  if (
    date &&
    !Number.isNaN(date.getTime()) &&
    (value instanceof Date || /^\d{4}-\d{2}-\d{2}T/.test(value as string))
  ) {
    return date;
  }
  problems.push({
    key: where,
    message: `must be an ISO 8601 timestamp such as 2025-03-04T10:00:00Z — got ${JSON.stringify(value)}`,
  });
  return null;
}

function parseExpect(value: unknown, where: string, problems: ValueProblem[]): PolicyTestExpectation | null {
  if (!isRecord(value)) {
    problems.push({ key: where, message: `must be a mapping with \`decision\` (${DECISIONS.join(", ")})` });
    return null;
  }
  checkKeys(value, where, EXPECT_KEYS, problems);
  let decision: SimulatedOutcome | null = null;
  if (DECISIONS.includes(value.decision as SimulatedOutcome)) decision = value.decision as SimulatedOutcome;
  else {
    const hint = typeof value.decision === "string" ? closestName(value.decision, DECISIONS) : null;
    problems.push({
      key: join(where, "decision"),
      message: `${value.decision === undefined ? "is required" : `${JSON.stringify(value.decision)} is not a decision`}: one of ${DECISIONS.join(", ")}${hint ? ` (did you mean \`${hint}\`?)` : ""}`,
    });
  }
  const missing: Record<string, number> = {};
  if (value.missing !== undefined) {
    if (!isRecord(value.missing)) {
      problems.push({
        key: join(where, "missing"),
        message: 'must map a requirement id (or part of its label) to a count, e.g. { "prod-writes": 1 }',
      });
    } else {
      for (const [key, count] of Object.entries(value.missing)) {
        if (Number.isInteger(count) && (count as number) >= 0) missing[key] = count as number;
        else problems.push({ key: join(join(where, "missing"), key), message: "must be a whole number ≥ 0" });
      }
    }
  }
  let deniedBy: string | null = null;
  if (value.denied_by !== undefined) {
    if (typeof value.denied_by !== "string" || value.denied_by === "") {
      problems.push({ key: join(where, "denied_by"), message: "must be the name of the rule that denies" });
    } else if (decision !== null && decision !== "denied") {
      problems.push({
        key: join(where, "denied_by"),
        message: `only a denied request has a denying rule: set \`decision: denied\` or remove \`denied_by\``,
      });
    } else deniedBy = value.denied_by;
  }
  const requirementsInclude =
    value.requirements_include === undefined
      ? []
      : stringList(value.requirements_include, join(where, "requirements_include"), problems);
  if (decision === null) return null;
  return { decision, missing, deniedBy, requirementsInclude };
}
