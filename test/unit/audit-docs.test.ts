import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { auditRecordPath } from "../../src/audit/audit-paths.js";
import { canonicalJson } from "../../src/audit/canonical-json.js";
import { chainLineOf, formatChainLine } from "../../src/audit/chain-lines.js";
import { GENESIS_PREV, hashEntry } from "../../src/audit/hash-entry.js";
import { statementHash } from "../../src/audit/statement-hash.js";
import { checkAuditEntry } from "../../src/audit/validate-entry.js";

const doc = readFileSync(new URL("../../docs/audit.md", import.meta.url), "utf8");

const FENCE = "```";

function blocks(lang: string): string[] {
  const pattern = new RegExp(`${FENCE}${lang}\\n([\\s\\S]*?)${FENCE}`, "g");
  return [...doc.matchAll(pattern)].map((m) => m[1] as string);
}

describe("docs/audit.md", () => {
  test("the example record is valid, its hash is right, and its chain line is what the writer writes", () => {
    const [recordText, lineText] = blocks("json");
    const checked = checkAuditEntry(JSON.parse(recordText as string));
    expect(checked).toMatchObject({ ok: true });
    if (!checked.ok) return;
    const entry = checked.entry;
    expect(hashEntry(entry)).toBe(entry.hash);
    expect(entry.prev).toBe(GENESIS_PREV);
    const line = formatChainLine(chainLineOf(entry, auditRecordPath(entry.execution.ended_at, entry.key)));
    expect(`${line}\n`).toBe(lineText);
    expect(canonicalJson(JSON.parse(line))).toBe(line);
  });

  test("the example statement hash matches the example request file's bytes", () => {
    const [sql] = blocks("sql");
    const [recordText] = blocks("json");
    const statement = JSON.parse(recordText as string).request.statements[0];
    const bytes = Buffer.from(sql as string, "utf8").subarray(statement.byte_start, statement.byte_end);
    expect(bytes.toString("utf8")).toBe("UPDATE public.orders SET status = 'refunded' WHERE id = 1042;");
    expect(statementHash(bytes)).toBe(statement.hash);
  });
});
