import type { Analysis, Dialect } from "../sql/statement.js";
import { parseSqlHeader, type RequestProblem, type SqlRequestHeader } from "./parse-sql-header.js";

export interface RequestFileAnalysis {
  path: string;
  /** Git blob SHA of the analysed content, when known. */
  blobSha: string | null;
  header: SqlRequestHeader | null;
  problems: RequestProblem[];
  analysis: Analysis | null;
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
    return { path, blobSha, header: null, problems: [], analysis };
  }
  const text = Buffer.from(content).toString("utf8");
  const header = parseSqlHeader(text);
  return {
    path,
    blobSha,
    header: header.ok ? header.header : null,
    problems: header.ok ? [] : header.problems,
    analysis,
  };
}

/** A request file that can never proceed: unreadable, unparseable, bad header, or a rejected statement. */
export function requestFileFailed(file: RequestFileAnalysis): boolean {
  if (file.problems.length > 0 || !file.analysis || !file.analysis.ok) return true;
  return file.analysis.statements.some((s) => s.class === "rejected");
}
