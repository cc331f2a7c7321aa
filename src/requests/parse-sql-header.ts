/** One problem in a request file, at a 1-based line. */
export interface RequestProblem {
  line: number;
  column: number;
  message: string;
}

export interface SqlRequestHeader {
  target: string;
  reason: string;
  maxRows: number | null;
  ticket: string | null;
}

export const HEADER_KEYS = ["target", "reason", "max_rows", "ticket"] as const;
const REQUIRED_KEYS = ["target", "reason"] as const;

/** Longest reason we accept; it appears in check runs and audit records. */
export const MAX_REASON_CHARS = 2000;
const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HEADER_LINE = /^--\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$/;

export type HeaderResult = { ok: true; header: SqlRequestHeader } | { ok: false; errors: RequestProblem[] };

/**
 * Reads the `-- key: value` lines at the top of a .sql request. The header ends at the first line that is
 * neither such a line nor blank nor a plain comment. It is metadata only: the SQL text is never altered.
 */
export function parseSqlHeader(text: string): HeaderResult {
  const values = new Map<string, { value: string; line: number }>();
  const problems: RequestProblem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("--")) break;
    const match = HEADER_LINE.exec(trimmed);
    if (!match) continue;
    const key = (match[1] ?? "").toLowerCase().replaceAll("-", "_");
    const value = match[2] ?? "";
    const line = i + 1;
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      const hint = closest(key, HEADER_KEYS);
      problems.push({
        line,
        column: 1,
        message: `unknown header key \`${key}\`${hint ? ` — did you mean \`${hint}\`?` : ""} (known: ${HEADER_KEYS.join(", ")})`,
      });
      continue;
    }
    if (values.has(key)) {
      problems.push({
        line,
        column: 1,
        message: `header key \`${key}\` is given twice (first on line ${values.get(key)?.line}): keep one`,
      });
      continue;
    }
    values.set(key, { value, line });
  }

  for (const key of REQUIRED_KEYS) {
    if (!values.get(key)?.value) {
      problems.push({
        line: values.get(key)?.line ?? 1,
        column: 1,
        message: `missing header \`-- ${key}: …\`: add it at the top of the file (e.g. \`-- ${key}: ${key === "target" ? "orders-prod" : "why this must run"}\`)`,
      });
    }
  }
  const target = values.get("target");
  if (target?.value && !TARGET_NAME.test(target.value)) {
    problems.push({
      line: target.line,
      column: 1,
      message: `target \`${target.value}\` is not a valid target name: use lowercase letters, digits, '-' and '_' (at most 63)`,
    });
  }
  const reason = values.get("reason");
  if (reason && reason.value.length > MAX_REASON_CHARS) {
    problems.push({
      line: reason.line,
      column: 1,
      message: `reason is ${reason.value.length} characters; shorten it to at most ${MAX_REASON_CHARS}`,
    });
  }
  let maxRows: number | null = null;
  const maxRowsValue = values.get("max_rows");
  if (maxRowsValue) {
    if (!/^[0-9]{1,12}$/.test(maxRowsValue.value)) {
      problems.push({
        line: maxRowsValue.line,
        column: 1,
        message: `max_rows must be a whole number ≥ 0 — got \`${maxRowsValue.value}\``,
      });
    } else maxRows = Number(maxRowsValue.value);
  }
  if (problems.length > 0) return { ok: false, errors: problems };
  return {
    ok: true,
    header: {
      target: target?.value ?? "",
      reason: reason?.value ?? "",
      maxRows,
      ticket: values.get("ticket")?.value || null,
    },
  };
}

function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
