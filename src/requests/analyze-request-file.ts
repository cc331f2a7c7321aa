import { type ReviewedStatement, reviewStatements } from "../sql/review-statements.js";
import type { Analysis, Dialect } from "../sql/statement.js";
import { parseSqlHeader, type RequestProblem, type SqlRequestHeader } from "./parse-sql-header.js";

export interface RequestFileAnalysis {
  path: string;
  /** Git blob SHA of the analysed content, when known. */
  blobSha: string | null;
  header: SqlRequestHeader | null;
  problems: RequestProblem[];
  analysis: Analysis | null;
  /** The statements with their review findings (empty when the file did not parse). */
  statements: ReviewedStatement[];
}

export interface AnalyzeRequestFileParams {
  path: string;
  content: Uint8Array;
  blobSha?: string | null;
  dialect: Dialect;
}

/** Pure: a request file's bytes in, its header and per-statement analysis out. */
export function analyzeRequestFile({
  path,
  content,
  blobSha = null,
  dialect,
}: AnalyzeRequestFileParams): RequestFileAnalysis {
  const analysis = dialect.analyze(content);
  if (!analysis.ok) {
    return { path, blobSha, header: null, problems: [], analysis, statements: [] };
  }
  const text = Buffer.from(content).toString("utf8");
  const header = parseSqlHeader(text);
  return {
    path,
    blobSha,
    header: header.ok ? header.header : null,
    problems: header.ok ? [] : header.problems,
    analysis,
    statements: reviewStatements({ statements: analysis.statements, live: null }),
  };
}

/**
 * A request file that cannot proceed: unparseable, bad header, a rejected statement, or an error-level
 * review finding (the policy can lower a rule's level once it exists).
 */
export function requestFileFailed(file: RequestFileAnalysis): boolean {
  if (file.problems.length > 0 || !file.analysis || !file.analysis.ok) return true;
  return file.statements.some((s) => s.class === "rejected" || s.findings.some((f) => f.level === "error"));
}
