import { describe, expect, test } from "vitest";
import {
  AuditChainError,
  AuditEntryError,
  appendEntry,
  findChainLine,
} from "../../src/audit/append-entry.js";
import { AUDIT_CHAIN_PATH, auditRecordPath, DEFAULT_AUDIT_BRANCH } from "../../src/audit/audit-paths.js";
import {
  AUDIT_OUTCOMES,
  AUDIT_RESOLUTIONS,
  type AuditEntry,
  type AuditResolution,
  type AuditStatement,
  type NewAuditEntry,
} from "../../src/audit/audit-types.js";
import { canonicalJson } from "../../src/audit/canonical-json.js";
import { parseChain } from "../../src/audit/chain-lines.js";
import { sha256Digest } from "../../src/audit/digest.js";
import { GENESIS_PREV, hashEntry } from "../../src/audit/hash-entry.js";
import { createResultDigester, MASKED_VALUE, resultDigest } from "../../src/audit/result-digest.js";
import { paramsHash, statementHash } from "../../src/audit/statement-hash.js";
import { checkAuditEntry } from "../../src/audit/validate-entry.js";
import { type RequestFileRead, type VerifyChainSources, verifyChain } from "../../src/audit/verify-chain.js";
import { FINAL_STATES, type Resolution } from "../../src/runner/ledger/execution-ledger.js";
import { newEntry, REQUEST_PATH, REQUEST_TEXT, statementAt } from "../support/audit-entry-builder.js";

/** A chain of `n` entries, kept as files the way the repository holds them. */
function buildChain(n: number): { files: Map<string, string>; entries: AuditEntry[] } {
  const files = new Map<string, string>();
  const entries: AuditEntry[] = [];
  let chain: string | null = null;
  for (let i = 1; i <= n; i++) {
    const appended = appendEntry(chain, newEntry(i));
    chain = appended.chainText;
    files.set(appended.recordPath, appended.recordText);
    entries.push(appended.entry);
  }
  files.set(AUDIT_CHAIN_PATH, chain ?? "");
  return { files, entries };
}

function sourcesOf(
  files: Map<string, string>,
  requests = new Map([[`${"a".repeat(40)}:${REQUEST_PATH}`, REQUEST_TEXT]]),
): VerifyChainSources {
  return {
    chainText: files.get(AUDIT_CHAIN_PATH) ?? "",
    readRecord: async (path) => files.get(path) ?? null,
    readRequestFile: async (commit, path): Promise<RequestFileRead> => {
      const text = requests.get(`${commit}:${path}`);
      if (text !== undefined) return { found: true, bytes: Buffer.from(text, "utf8") };
      return [...requests.keys()].some((k) => k.startsWith(`${commit}:`))
        ? { found: false, reason: "no-file" }
        : { found: false, reason: "no-commit" };
    },
    listRecordPaths: async () => [...files.keys()].filter((p) => p !== AUDIT_CHAIN_PATH),
  };
}

function chainLines(files: Map<string, string>): string[] {
  return (files.get(AUDIT_CHAIN_PATH) ?? "").split("\n").slice(0, -1);
}

function setChainLines(files: Map<string, string>, lines: string[]): void {
  files.set(AUDIT_CHAIN_PATH, lines.map((l) => `${l}\n`).join(""));
}

describe("statement and entry hashes", () => {
  test("statementHash hashes the exact bytes: the text as UTF-8 equals the file's byte slice", () => {
    const { text, byte_start, byte_end } = statementAt(1);
    const slice = Buffer.from(REQUEST_TEXT, "utf8").subarray(byte_start, byte_end);
    expect(statementHash(text)).toBe(statementHash(slice));
    expect(statementHash(text)).toBe(sha256Digest(Buffer.from("SELECT 'né';", "utf8")));
    expect(statementHash("SELECT 1;")).toBe(
      "sha256:17db4fd369edb9244b9f91d9aeed145c3d04ad8ba6e95d06247f07a63527d11a",
    );
    expect(statementHash("SELECT 1;")).not.toBe(statementHash("SELECT 1; "));
  });

  test("sha256 digests are prefixed and match a known vector", () => {
    expect(sha256Digest("abc")).toBe(
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(GENESIS_PREV).toBe(`sha256:${"0".repeat(64)}`);
  });

  test("paramsHash: null without parameters, canonical (order-independent for named params) with them", () => {
    expect(paramsHash(null)).toBeNull();
    expect(paramsHash([])).toBeNull();
    expect(paramsHash({})).toBeNull();
    expect(paramsHash({ a: 1, b: "x" })).toBe(paramsHash({ b: "x", a: 1 }));
    expect(paramsHash([1, "x"])).not.toBe(paramsHash(["x", 1]));
    expect(paramsHash([42])).toBe(sha256Digest("[42]"));
  });

  test("hashEntry covers every field but hash, via canonical JSON", () => {
    const { entries } = buildChain(1);
    const entry = entries[0] as AuditEntry;
    const { hash, ...rest } = entry;
    expect(hash).toBe(sha256Digest(canonicalJson(rest)));
    expect(hashEntry(entry)).toBe(hash);
    expect(hashEntry({ ...entry, hash: "sha256:whatever" })).toBe(hash);
    expect(hashEntry({ ...entry, seq: 2 })).not.toBe(hash);
    expect(hashEntry({ ...entry, approvals: [] })).not.toBe(hash);
  });
});

describe("appendEntry", () => {
  test("first entry: seq 1, genesis prev; then seq = last + 1 and prev = the last hash", () => {
    const first = appendEntry(null, newEntry(1));
    expect(first.entry).toMatchObject({ seq: 1, prev: GENESIS_PREV });
    expect(first.recordPath).toBe(`audit/2025/03/${"1".padStart(64, "0")}.json`);
    expect(first.chainText).toBe(`${first.line}\n`);
    expect(JSON.parse(first.line)).toEqual({
      seq: 1,
      prev: GENESIS_PREV,
      hash: first.entry.hash,
      key: first.entry.key,
      record: first.recordPath,
    });
    expect(JSON.parse(first.recordText)).toEqual(first.entry);
    expect(first.recordText.endsWith("}\n")).toBe(true);
    const second = appendEntry(first.chainText, newEntry(2));
    expect(second.entry).toMatchObject({ seq: 2, prev: first.entry.hash });
    expect(second.chainText).toBe(`${first.line}\n${second.line}\n`);
    expect(appendEntry("", newEntry(1)).entry).toEqual(first.entry);
  });

  test("the record path comes from started_at (UTC year and month) and the key", () => {
    expect(auditRecordPath("2024-12-31T23:59:59.999Z", "ab".repeat(8))).toBe(
      `audit/2024/12/${"ab".repeat(8)}.json`,
    );
    expect(() => auditRecordPath("2024-12-31T23:59:59+01:00", "ab".repeat(8))).toThrow("ISO 8601 UTC");
    expect(() => auditRecordPath("2024-12-31T23:59:59Z", "../../etc")).toThrow("lowercase hex");
    expect(DEFAULT_AUDIT_BRANCH).toBe("querygate/audit");
  });

  test("refuses a key already in the chain, and findChainLine finds it", () => {
    const { files, entries } = buildChain(3);
    const chain = files.get(AUDIT_CHAIN_PATH) ?? "";
    expect(() => appendEntry(chain, newEntry(2))).toThrow(AuditChainError);
    expect(findChainLine(chain, (entries[1] as AuditEntry).key)).toMatchObject({ seq: 2 });
    expect(findChainLine(chain, "f".repeat(64))).toBeNull();
    expect(findChainLine(null, "f".repeat(64))).toBeNull();
  });

  test("refuses to extend a broken chain: edited, removed or reordered lines, a missing newline", () => {
    const { files } = buildChain(3);
    const lines = chainLines(files);
    const broken = [
      `${lines[0]}\n${lines[2]}\n`,
      `${lines[1]}\n${lines[0]}\n`,
      `${lines[0]}\n${lines[1]}`,
      `${lines[0]}\n\n${lines[1]}\n`,
      `${lines[0]?.replace('"seq":1', '"seq": 1')}\n`,
      `${lines[0]}\n${lines[1]?.replace(/"prev":"sha256:[0-9a-f]{4}/, '"prev":"sha256:0000')}\n`,
    ];
    for (const chain of broken) expect(() => appendEntry(chain, newEntry(9))).toThrow(/broken at line \d/);
  });

  test("refuses an invalid entry with every problem, and anything that looks like a secret", () => {
    const bad = { ...newEntry(1), key: "NOT-HEX", pull_request: 0, extra: 1 } as never;
    expect(() => appendEntry(null, bad)).toThrow(AuditEntryError);
    try {
      appendEntry(null, bad);
    } catch (error) {
      expect((error as AuditEntryError).problems).toEqual([
        'entry: unknown field "extra"',
        'key: must be 16–128 lowercase hex characters, got "NOT-HEX"',
        "pull_request: must be an integer ≥ 1, got 0",
      ]);
    }
    const base = newEntry(1);
    const secrets: Array<Partial<NewAuditEntry>> = [
      { target: { ...base.target, name: "postgres://app:hunter2@db.internal/orders" } },
      { target: { ...base.target, role: "host=db user=app password=hunter2" } },
      { executor: { ...base.executor, worker: "https://u:p@example.com/" } },
    ];
    for (const override of secrets) {
      expect(() => appendEntry(null, newEntry(1, override))).toThrow(/secrets never go into an audit record/);
    }
  });

  test("refuses statements out of order, overlapping or empty, and results of statements not in the unit", () => {
    const both = newEntry(3);
    const [first, second] = both.request.statements as [AuditStatement, AuditStatement];
    const refused: Array<[AuditStatement[], string]> = [
      [[], "request.statements: must hold at least one statement"],
      [
        [{ ...first, byte_end: first.byte_start }],
        "request.statements[0].byte_end: must be after byte_start",
      ],
      [[second, first], "request.statements[1].index: must be greater than the previous statement's (1)"],
      [[first, { ...second, byte_start: first.byte_end - 1 }], "request.statements[1].byte_start: overlaps"],
    ];
    for (const [statements, message] of refused) {
      expect(() => appendEntry(null, { ...both, request: { ...both.request, statements } })).toThrow(message);
    }
    const alone = newEntry(1);
    expect(() =>
      appendEntry(null, {
        ...alone,
        execution: { ...alone.execution, results: [{ index: 0, rows: 1, result_digest: null }] },
      }),
    ).toThrow("execution.results[0].index: statement 0 is not in request.statements");
    expect(() =>
      appendEntry(null, {
        ...alone,
        execution: { ...alone.execution, results: [{ index: 1, rows: Number.NaN, result_digest: null }] },
      }),
    ).toThrow("execution.results[0].rows: must be an integer");
    expect(() =>
      appendEntry(null, { ...alone, execution: { ...alone.execution, ended_at: "2025-03-04T09:00:00Z" } }),
    ).toThrow("execution.ended_at: 2025-03-04T09:00:00Z is before started_at");
    expect(
      appendEntry(null, { ...alone, execution: { ...alone.execution, started_at: null, results: null } })
        .entry.seq,
    ).toBe(1);
  });

  test("the outcome and resolution vocabularies are the execution ledger's", () => {
    expect([...AUDIT_OUTCOMES]).toEqual([...FINAL_STATES]);
    const resolutions: readonly Resolution[] = AUDIT_RESOLUTIONS;
    const back: readonly AuditResolution[] = [
      "worker",
      "crash_committed",
      "crash_aborted",
      "crash_read_only",
      "crash_unknown",
    ] satisfies Resolution[];
    expect(new Set(resolutions)).toEqual(new Set(back));
  });

  test("checkAuditEntry names missing fields and wrong types", () => {
    const { entries } = buildChain(1);
    const { approvals: _a, ...withoutApprovals } = entries[0] as AuditEntry;
    expect(checkAuditEntry(withoutApprovals)).toEqual({ ok: false, errors: ["approvals: missing"] });
    expect(
      checkAuditEntry({ ...entries[0], execution: { ...entries[0]?.execution, outcome: "ok" } }),
    ).toMatchObject({
      ok: false,
      errors: [expect.stringContaining("execution.outcome: must be one of succeeded, failed")],
    });
    expect(checkAuditEntry(entries[0])).toMatchObject({ ok: true });
    for (const path of [
      "../etc/passwd",
      "/abs.sql",
      "queries/./x.sql",
      "queries//x.sql",
      "queries/x\n.sql",
    ]) {
      const entry = entries[0] as AuditEntry;
      expect(checkAuditEntry({ ...entry, request: { ...entry.request, path } })).toEqual({
        ok: false,
        errors: [`request.path: must be a relative path inside the repository, got "${path}"`],
      });
    }
  });
});

describe("verifyChain", () => {
  test("a sound chain: ok with the count and the head hash; an empty chain is ok with the genesis head", async () => {
    const { files, entries } = buildChain(5);
    expect(await verifyChain(sourcesOf(files))).toEqual({ ok: true, count: 5, head: entries[4]?.hash });
    expect(await verifyChain({ ...sourcesOf(new Map()), listRecordPaths: undefined })).toEqual({
      ok: true,
      count: 0,
      head: GENESIS_PREV,
    });
  });

  test("a record whose content was changed is the first broken entry", async () => {
    const { files, entries } = buildChain(5);
    const path = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines[2]?.record as string;
    files.set(path, (files.get(path) ?? "").replace('"rows": 1', '"rows": 1000'));
    const result = await verifyChain(sourcesOf(files));
    expect(result).toEqual({
      ok: false,
      entry: 3,
      verified: 2,
      incomplete: false,
      error: expect.stringMatching(
        new RegExp(
          `^${path}: the record's content hashes to sha256:[0-9a-f]{64}, not to its recorded hash ${entries[2]?.hash}`,
        ),
      ),
    });
  });

  test("a record rehashed after the change no longer matches its chain line", async () => {
    const { files } = buildChain(3);
    const path = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines[1]?.record as string;
    const entry = JSON.parse(files.get(path) ?? "") as AuditEntry;
    entry.approvals = [];
    entry.hash = hashEntry(entry);
    files.set(path, JSON.stringify(entry));
    expect(await verifyChain(sourcesOf(files))).toMatchObject({
      ok: false,
      entry: 2,
      error: expect.stringContaining("the record's hash is sha256:"),
    });
  });

  test("a chain line rewritten with the forged hash breaks the next entry's prev", async () => {
    const { files } = buildChain(3);
    const lines = chainLines(files);
    const path = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines[1]?.record as string;
    const entry = JSON.parse(files.get(path) ?? "") as AuditEntry;
    entry.approvals = [];
    entry.hash = hashEntry(entry);
    files.set(path, JSON.stringify(entry));
    lines[1] = canonicalJson({ ...JSON.parse(lines[1] ?? ""), hash: entry.hash });
    setChainLines(files, lines);
    expect(await verifyChain(sourcesOf(files))).toMatchObject({
      ok: false,
      entry: 3,
      verified: 2,
      error: expect.stringMatching(/^prev does not match entry 2's hash/),
    });
  });

  test("a removed line: the entry after it has the wrong seq", async () => {
    const { files } = buildChain(4);
    const lines = chainLines(files);
    lines.splice(1, 1);
    setChainLines(files, lines);
    expect(await verifyChain({ ...sourcesOf(files), listRecordPaths: undefined })).toMatchObject({
      ok: false,
      entry: 2,
      verified: 1,
      error: "seq is 3, expected 2: an entry is missing before it",
    });
  });

  test("the last line removed with its record left behind: a record outside the chain", async () => {
    const { files } = buildChain(4);
    setChainLines(files, chainLines(files).slice(0, 3));
    expect(await verifyChain(sourcesOf(files))).toMatchObject({
      ok: false,
      entry: null,
      error: expect.stringContaining("1 record file(s) are not in audit/chain.jsonl"),
    });
  });

  test("the last line and its record removed: caught only by the published head (expectHash)", async () => {
    const { files, entries } = buildChain(4);
    const last = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines[3]?.record as string;
    setChainLines(files, chainLines(files).slice(0, 3));
    files.delete(last);
    expect(await verifyChain(sourcesOf(files))).toMatchObject({ ok: true, count: 3 });
    expect(await verifyChain({ ...sourcesOf(files), expectHash: entries[3]?.hash })).toMatchObject({
      ok: false,
      entry: null,
      error: expect.stringContaining(`the expected hash ${entries[3]?.hash} is in no entry`),
    });
    expect(await verifyChain({ ...sourcesOf(files), expectHash: entries[1]?.hash })).toMatchObject({
      ok: true,
    });
  });

  test("the request file changed at the recorded commit: the statement hash does not match", async () => {
    const { files } = buildChain(3);
    const changed = REQUEST_TEXT.replace("id = 42", "id = 43");
    const result = await verifyChain(
      sourcesOf(files, new Map([[`${"a".repeat(40)}:${REQUEST_PATH}`, changed]])),
    );
    expect(result).toMatchObject({
      ok: false,
      entry: 2,
      verified: 1,
      incomplete: false,
      error: expect.stringMatching(
        /^statement 0: hash sha256:[0-9a-f]{64} does not match bytes \d+\.\.\d+ of queries\/fix-order\.sql at commit a{40}/,
      ),
    });
  });

  test("a missing request file is broken; a missing commit is incomplete", async () => {
    const { files } = buildChain(2);
    expect(
      await verifyChain(sourcesOf(files, new Map([[`${"a".repeat(40)}:other.sql`, "x"]]))),
    ).toMatchObject({
      ok: false,
      entry: 1,
      incomplete: false,
      error: expect.stringContaining("does not exist"),
    });
    expect(await verifyChain(sourcesOf(files, new Map()))).toMatchObject({
      ok: false,
      entry: 1,
      incomplete: true,
      error: expect.stringContaining(`commit ${"a".repeat(40)} is not available`),
    });
  });

  test("a missing record, an invalid record, a record at the wrong path", async () => {
    const { files } = buildChain(3);
    const paths = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines.map((l) => l.record);
    const missing = new Map(files);
    missing.delete(paths[2] as string);
    expect(await verifyChain(sourcesOf(missing))).toMatchObject({
      entry: 3,
      error: `${paths[2]}: the record file is missing`,
    });
    const invalid = new Map(files);
    invalid.set(paths[0] as string, "{");
    expect(await verifyChain(sourcesOf(invalid))).toMatchObject({
      entry: 1,
      error: expect.stringContaining("not valid JSON"),
    });
    const moved = buildChain(1);
    const line = JSON.parse(chainLines(moved.files)[0] ?? "");
    const record = moved.files.get(line.record) ?? "";
    const wrong = line.record.replace("2025/03", "2025/04");
    moved.files.set(wrong, record);
    setChainLines(moved.files, [canonicalJson({ ...line, record: wrong })]);
    expect(await verifyChain({ ...sourcesOf(moved.files), listRecordPaths: undefined })).toMatchObject({
      entry: 1,
      error: `${wrong}: the record belongs at ${line.record}`,
    });
  });

  test("the first problem wins: a bad record before a structural break is reported first", async () => {
    const { files } = buildChain(4);
    const paths = parseChain(files.get(AUDIT_CHAIN_PATH) ?? "").lines.map((l) => l.record);
    files.set(paths[0] as string, (files.get(paths[0] as string) ?? "").replace("dana", "mallory"));
    const lines = chainLines(files);
    lines.splice(2, 1);
    setChainLines(files, lines);
    expect(await verifyChain(sourcesOf(files))).toMatchObject({ entry: 1, verified: 0 });
  });
});

describe("result digest", () => {
  test("masked columns are digested as the mask, so the digest cannot confirm a guess", () => {
    const columns = ["id", "email"];
    const a = resultDigest({ columns, rows: [[1, "a@example.com"]], masked: ["email"] });
    const b = resultDigest({ columns, rows: [[1, "b@example.com"]], masked: ["email"] });
    expect(a).toBe(b);
    expect(a).toBe(resultDigest({ columns, rows: [[1, MASKED_VALUE]] }));
    expect(resultDigest({ columns, rows: [[1, "a@example.com"]] })).not.toBe(a);
  });

  test("row by row equals all at once, and is the canonical JSON of columns and rows", () => {
    const digester = createResultDigester(["n", "at", "raw", "big", "doc"]);
    const rows = [
      [
        1,
        new Date("2025-03-04T10:00:00Z"),
        Uint8Array.from([0xde, 0xad]),
        12345678901234567890n,
        { b: 1, a: [2] },
      ],
      [Number.NaN, null, Buffer.from("A"), -1n, null],
    ];
    for (const row of rows) digester.addRow(row);
    const digest = digester.digest();
    expect(digest).toBe(resultDigest({ columns: ["n", "at", "raw", "big", "doc"], rows }));
    expect(digest).toBe(
      sha256Digest(
        canonicalJson({
          columns: ["n", "at", "raw", "big", "doc"],
          rows: [
            [1, "2025-03-04T10:00:00.000Z", "\\xdead", "12345678901234567890", { a: [2], b: 1 }],
            ["NaN", null, "\\x41", "-1", null],
          ],
        }),
      ),
    );
    expect(resultDigest({ columns: [], rows: [] })).toBe(sha256Digest('{"columns":[],"rows":[]}'));
    expect(() => createResultDigester(["a"]).addRow([1, 2])).toThrow("row 1 has 2 cells, expected 1");
  });
});
