import { AUDIT_KEY_PATTERN, ISO_UTC_PATTERN } from "./audit-paths.js";
import {
  AUDIT_FORMAT_VERSION,
  AUDIT_OUTCOMES,
  AUDIT_RESOLUTIONS,
  type AuditEntry,
  RUN_TRIGGERS,
} from "./audit-types.js";
import { DIGEST_PATTERN } from "./digest.js";

/** Limits on what one record may hold: records are small, and a huge one is a bug or an attack. */
export const AUDIT_LIMITS = {
  /** Longest free-text field (paths, names, logins, ids). */
  maxStringChars: 1000,
  /** Statements in one execution unit (a request file holds at most this many anyway). */
  maxStatements: 10_000,
  maxApprovals: 100,
  maxTeamsPerApproval: 200,
  maxPolicyFiles: 50,
  maxMatchedRules: 1000,
} as const;

const GIT_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;
const TEAM = /^[^/\s]+\/[^/\s]+$/;
/** A path inside the repository: relative, no empty, `.` or `..` segments, no control characters. */
const REPO_PATH = /^(?!\/)(?!.*\/\/)(?!(?:.*\/)?\.{1,2}(?:\/|$))[^\p{Cc}\\]+(?<!\/)$/u;

/** Strings that must never reach a record: connection strings and passwords (invariant 7). */
const SECRET_PATTERNS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  {
    pattern: /\b(?:postgres(?:ql)?|mysql|mariadb|jdbc:[a-z0-9]+|mongodb(?:\+srv)?|redis):\/\//i,
    what: "a connection string",
  },
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*:[^\s/?#@]*@/i, what: "a URL with a password" },
  { pattern: /\bpassword\s*=/i, what: "a password setting" },
];

type Check = (value: unknown, path: string, problems: string[]) => void;

/** A field path for a message; the entry itself is "entry". */
const at = (path: string): string => (path === "" ? "entry" : path);

const text =
  (pattern?: RegExp, hint?: string): Check =>
  (value, path, problems) => {
    if (typeof value !== "string") return void problems.push(`${path}: must be a string`);
    if (value.length === 0) return void problems.push(`${path}: must not be empty`);
    if (value.length > AUDIT_LIMITS.maxStringChars) {
      return void problems.push(`${path}: longer than ${AUDIT_LIMITS.maxStringChars} characters`);
    }
    if (pattern && !pattern.test(value))
      problems.push(`${path}: must be ${hint ?? pattern.source}, got "${value}"`);
  };

const integer =
  (min: number): Check =>
  (value, path, problems) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      problems.push(`${path}: must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    }
  };

const oneOf =
  (values: readonly string[]): Check =>
  (value, path, problems) => {
    if (typeof value !== "string" || !values.includes(value)) {
      problems.push(`${path}: must be one of ${values.join(", ")}, got ${JSON.stringify(value)}`);
    }
  };

const exactly =
  (expected: unknown): Check =>
  (value, path, problems) => {
    if (value !== expected)
      problems.push(`${path}: must be ${JSON.stringify(expected)}, got ${JSON.stringify(value)}`);
  };

const nullable =
  (check: Check): Check =>
  (value, path, problems) => {
    if (value !== null) check(value, path, problems);
  };

const list =
  (item: Check, max: number): Check =>
  (value, path, problems) => {
    if (!Array.isArray(value)) return void problems.push(`${path}: must be an array`);
    if (value.length > max) return void problems.push(`${path}: more than ${max} items`);
    value.forEach((element, i) => {
      item(element, `${path}[${i}]`, problems);
    });
  };

const record =
  (shape: Record<string, Check>): Check =>
  (value, path, problems) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return void problems.push(`${at(path)}: must be an object`);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`${at(path)}: unknown field "${key}"`);
    }
    for (const [key, check] of Object.entries(shape)) {
      const member = `${path === "" ? "" : `${path}.`}${key}`;
      if (!Object.hasOwn(value, key)) problems.push(`${member}: missing`);
      else check((value as Record<string, unknown>)[key], member, problems);
    }
  };

const sha = text(GIT_SHA, "a 40-hex git SHA");
const digest = text(DIGEST_PATTERN, "sha256:<64 lowercase hex>");
const timestamp = text(ISO_UTC_PATTERN, "ISO 8601 UTC (e.g. 2025-03-04T10:00:00.000Z)");

const CHAIN_FIELDS: Record<string, Check> = {
  seq: integer(1),
  prev: digest,
  hash: digest,
};

const BODY_FIELDS: Record<string, Check> = {
  version: exactly(AUDIT_FORMAT_VERSION),
  key: text(AUDIT_KEY_PATTERN, "16–128 lowercase hex characters"),
  repo: text(REPO, "owner/name"),
  pull_request: integer(1),
  head_sha: sha,
  request: record({
    path: text(REPO_PATH, "a relative path inside the repository"),
    statements: list(
      record({
        index: integer(0),
        byte_start: integer(0),
        byte_end: integer(1),
        hash: digest,
        params_hash: nullable(digest),
      }),
      AUDIT_LIMITS.maxStatements,
    ),
  }),
  policy: record({
    commit_sha: sha,
    files: list(
      record({ path: text(REPO_PATH, "a relative path inside the repository"), blob_sha: sha }),
      AUDIT_LIMITS.maxPolicyFiles,
    ),
    decision_id: text(),
    matched_rules: list(text(), AUDIT_LIMITS.maxMatchedRules),
  }),
  approvals: list(
    record({
      login: text(),
      review_id: integer(1),
      commit_id: sha,
      teams: list(text(TEAM, "org/slug"), AUDIT_LIMITS.maxTeamsPerApproval),
    }),
    AUDIT_LIMITS.maxApprovals,
  ),
  executor: record({
    triggered_by: text(),
    trigger: nullable(oneOf(RUN_TRIGGERS)),
    triggered_at: nullable(timestamp),
    worker: nullable(text()),
  }),
  target: record({
    name: text(),
    engine: text(),
    environment: text(),
    role: nullable(text()),
    transaction_id: nullable(text()),
  }),
  execution: record({
    started_at: nullable(timestamp),
    ended_at: timestamp,
    outcome: oneOf(AUDIT_OUTCOMES),
    resolution: oneOf(AUDIT_RESOLUTIONS),
    sqlstate: nullable(text(SQLSTATE, "a five-character SQLSTATE")),
    results: nullable(
      list(
        record({ index: integer(0), rows: integer(0), result_digest: nullable(digest) }),
        AUDIT_LIMITS.maxStatements,
      ),
    ),
  }),
};

const fullEntry = record({ ...CHAIN_FIELDS, ...BODY_FIELDS });
const newEntry = record(BODY_FIELDS);

export type EntryCheck = { ok: true; entry: AuditEntry } | { ok: false; errors: string[] };

/**
 * Checks that `value` is a complete audit entry (with `seq`, `prev` and `hash`, or — with `chained: false` —
 * without them): every field present with the right type, no unknown field, byte offsets in order, and no
 * string that looks like a secret. The one validation at the record boundary: writing and verifying.
 */
export function checkAuditEntry(value: unknown, opts: { chained?: boolean } = {}): EntryCheck {
  const problems: string[] = [];
  (opts.chained === false ? newEntry : fullEntry)(value, "", problems);
  if (problems.length === 0) problems.push(...orderProblems(value as AuditEntry), ...findSecrets(value, ""));
  return problems.length === 0 ? { ok: true, entry: value as AuditEntry } : { ok: false, errors: problems };
}

/** What the field types cannot say: statements in file order, not overlapping; results of those statements. */
function orderProblems(entry: AuditEntry): string[] {
  const problems: string[] = [];
  const { statements } = entry.request;
  if (statements.length === 0) problems.push("request.statements: must hold at least one statement");
  statements.forEach((statement, i) => {
    const at = `request.statements[${i}]`;
    if (statement.byte_end <= statement.byte_start) {
      problems.push(
        `${at}.byte_end: must be after byte_start (${statement.byte_start}), got ${statement.byte_end}`,
      );
    }
    const previous = statements[i - 1];
    if (previous && statement.index <= previous.index) {
      problems.push(`${at}.index: must be greater than the previous statement's (${previous.index})`);
    }
    if (previous && statement.byte_start < previous.byte_end) {
      problems.push(`${at}.byte_start: overlaps the previous statement (which ends at ${previous.byte_end})`);
    }
  });
  const indexes = new Set(statements.map((statement) => statement.index));
  entry.execution.results?.forEach((result, i) => {
    if (!indexes.has(result.index)) {
      problems.push(`execution.results[${i}].index: statement ${result.index} is not in request.statements`);
    }
  });
  const { started_at: started, ended_at: ended } = entry.execution;
  if (started !== null && Date.parse(started) > Date.parse(ended)) {
    problems.push(`execution.ended_at: ${ended} is before started_at ${started}`);
  }
  return problems;
}

/** Paths of strings that look like connection strings or passwords, anywhere in `value`. */
export function findSecrets(value: unknown, path: string): string[] {
  if (typeof value === "string") {
    const found = SECRET_PATTERNS.find(({ pattern }) => pattern.test(value));
    return found ? [`${path || "$"}: looks like ${found.what}; secrets never go into an audit record`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findSecrets(item, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) =>
      findSecrets(item, `${path === "" ? "" : `${path}.`}${key}`),
    );
  }
  return [];
}
