import { countNodes } from "../../yaml/count-nodes.js";
import { parsePolicyYaml } from "../../yaml/parse-yaml.js";
import type { PolicyReference, ReadContext } from "../../yaml/read-context.js";
import { POLICY_DIR } from "../policy-paths.js";
import type { PolicyError, PolicyLoadResult } from "../policy-types.js";
import { mergePolicyFiles } from "./merge-policy-files.js";
import {
  MAX_POLICY_FILE_BYTES,
  MAX_POLICY_NODES,
  MAX_POLICY_TOTAL_BYTES,
  MAX_REPORTED_ERRORS,
} from "./policy-limits.js";
import { type PolicyFilePart, readPolicyFile } from "./read-policy-file.js";

export interface PolicyFileInput {
  path: string;
  content: string;
  blobSha?: string | null;
}

const MIB = 1024 * 1024;
/** A URL with credentials (`postgres://user:password@host`): never echoed into errors, which reach PR comments. */
const URL_WITH_CREDENTIALS = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s`"']*@[^\s`"']*/g;
const HIDDEN = "[connection string hidden]";

/**
 * Validates and merges the policy files (in path order) into one Policy, or returns every error found, each
 * with file, line and key. Anything missing or invalid makes the whole policy invalid: the caller denies.
 */
export function loadPolicy(files: PolicyFileInput[]): PolicyLoadResult {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const errors: PolicyError[] = [];
  if (sorted.length === 0) {
    errors.push({
      file: POLICY_DIR,
      line: 1,
      key: "",
      message:
        "no policy files: add policies/querygate.yml (see docs/policy.md); until then every request is denied",
    });
    return { ok: false, errors };
  }

  const parts: PolicyFilePart[] = [];
  const references: PolicyReference[] = [];
  let complete = true;
  let totalBytes = 0;
  let nodeBudget = MAX_POLICY_NODES;
  for (const [index, { path, content }] of sorted.entries()) {
    const fileError = (message: string) => {
      complete = false;
      errors.push({ file: path, line: 1, key: "", message });
    };
    if (sorted[index - 1]?.path === path) {
      fileError("this policy file is given twice");
      continue;
    }
    const bytes = Buffer.byteLength(content, "utf8");
    totalBytes += bytes;
    if (bytes > MAX_POLICY_FILE_BYTES) {
      fileError(
        `the file is ${formatMib(bytes)}, over the ${formatMib(MAX_POLICY_FILE_BYTES)} limit for one policy file: split it into several files directly under policies/ (they are merged in name order)`,
      );
      continue;
    }
    if (totalBytes > MAX_POLICY_TOTAL_BYTES) {
      fileError(
        `the policy files reach ${formatMib(totalBytes)} with this one, over the ${formatMib(MAX_POLICY_TOTAL_BYTES)} limit for a whole policy: make the policy smaller (globs and lists cover many objects with one entry)`,
      );
      continue;
    }
    const parsed = parsePolicyYaml(path, content);
    if (!parsed.ok) {
      complete = false;
      errors.push(parsed.error);
      continue;
    }
    const nodes = countNodes(parsed.value, nodeBudget);
    if (nodes > nodeBudget) {
      fileError(
        `the policy expands to more than ${MAX_POLICY_NODES.toLocaleString("en")} values (aliases of aliases multiply, or an alias refers to itself): write the values out, or use fewer nested aliases`,
      );
      continue;
    }
    nodeBudget -= nodes;
    const ctx: ReadContext = { file: path, positions: parsed.positions, errors, references };
    parts.push(readPolicyFile(ctx, parsed.value));
  }

  const policyFiles = sorted.map((f) => ({ path: f.path, blobSha: f.blobSha ?? null }));
  const merged = mergePolicyFiles({ parts, references, files: policyFiles, complete });
  errors.push(...merged.errors);
  if (errors.length === 0 && merged.policy) return { ok: true, policy: merged.policy };
  if (errors.length === 0) {
    errors.push({
      file: sorted[0]?.path ?? POLICY_DIR,
      line: 1,
      key: "",
      message: "the policy could not be loaded",
    });
  }
  const scrubbed = errors.map((e) => ({
    ...e,
    key: e.key.replace(URL_WITH_CREDENTIALS, HIDDEN),
    message: e.message.replace(URL_WITH_CREDENTIALS, HIDDEN),
  }));
  const order = sorted.map((f) => f.path);
  return { ok: false, errors: capErrors(sortErrors(scrubbed, order)) };
}

function sortErrors(errors: PolicyError[], order: string[]): PolicyError[] {
  const rank = (file: string) => {
    const index = order.indexOf(file);
    return index === -1 ? order.length : index;
  };
  return errors
    .map((error, index) => ({ error, index }))
    .sort(
      (a, b) =>
        rank(a.error.file) - rank(b.error.file) ||
        a.error.line - b.error.line ||
        (a.error.column ?? 0) - (b.error.column ?? 0) ||
        (a.error.key < b.error.key ? -1 : a.error.key > b.error.key ? 1 : 0) ||
        a.index - b.index,
    )
    .map(({ error }) => error);
}

function capErrors(errors: PolicyError[]): PolicyError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const kept = errors.slice(0, MAX_REPORTED_ERRORS - 1);
  const next = errors[MAX_REPORTED_ERRORS - 1] as PolicyError;
  const more = errors.length - kept.length;
  kept.push({
    file: next.file,
    line: next.line,
    key: "",
    message: `… ${more} more errors (fix the ones above first)`,
  });
  return kept;
}

function formatMib(bytes: number): string {
  const mib = bytes / MIB;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}
