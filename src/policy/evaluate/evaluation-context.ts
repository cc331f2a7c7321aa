import type { CelMap } from "@bufbuild/cel";
import type { ReviewedStatement } from "../../lint/review-statements.js";
import type { ObjectOperation } from "../../sql/statement.js";
import type { CelEvaluation } from "../load/compile-cel.js";
import type { PolicyTarget } from "../policy-types.js";
import { type CelVariableName, celNow, celRequest, celStatement } from "./cel-variables.js";
import type { ParamValue, RequestFacts } from "./request-facts.js";
import { type StatementSubjects, statementSubjects } from "./statement-subjects.js";
import { type LocalTime, localTime } from "./time-window.js";

export type { ParamValue, RequestFacts };

/** What every rule sees of one request: computed once, shared by its statements. */
export class RequestContext {
  readonly environment: string | null;
  private localTimes: Map<string, LocalTime | null> | null = null;
  private celRequestMemo: CelMap | null = null;
  private celNowMemo: CelMap | null = null;
  private celResults: Map<string, CelEvaluation> | null = null;

  constructor(
    readonly request: RequestFacts,
    readonly target: PolicyTarget | null,
    readonly now: Date,
  ) {
    this.environment = target?.environment ?? null;
  }

  localTime(timezone: string): LocalTime | null {
    this.localTimes ??= new Map();
    let local = this.localTimes.get(timezone);
    if (local === undefined) {
      local = localTime(this.now, timezone);
      this.localTimes.set(timezone, local);
    }
    return local;
  }

  get celRequest(): CelMap {
    this.celRequestMemo ??= celRequest(this.request, this.environment);
    return this.celRequestMemo;
  }

  get celNow(): CelMap {
    this.celNowMemo ??= celNow(this.now);
    return this.celNowMemo;
  }

  /** For an expression that does not read `statement`: its result is the same for every statement. */
  celResult(source: string, evaluate: () => CelEvaluation): CelEvaluation {
    this.celResults ??= new Map();
    let result = this.celResults.get(source);
    if (!result) {
      result = evaluate();
      this.celResults.set(source, result);
    }
    return result;
  }
}

/** What every rule sees of one statement; subjects and CEL variables are built once, on first use. */
export class StatementContext {
  private subjectsMemo: StatementSubjects | null = null;
  private operationsMemo: ObjectOperation[] | null = null;
  private findingsMemo: string[] | null = null;
  private celStatementMemo: CelMap | null = null;

  constructor(
    readonly request: RequestContext,
    readonly statement: ReviewedStatement,
  ) {}

  get subjects(): StatementSubjects {
    this.subjectsMemo ??= statementSubjects(this.statement, this.request.request.target);
    return this.subjectsMemo;
  }

  get operations(): ObjectOperation[] {
    this.operationsMemo ??= [...new Set(this.statement.objects.map((o) => o.operation))];
    return this.operationsMemo;
  }

  /** Rule ids of the statement's findings, distinct. */
  get findings(): string[] {
    this.findingsMemo ??= [...new Set(this.statement.findings.map((f) => f.rule))];
    return this.findingsMemo;
  }

  /** The estimate, or null when there was no live lookup or it gave none. */
  get estimatedRows(): number | null {
    const rows = this.statement.live?.estimatedRows;
    return typeof rows === "number" && Number.isFinite(rows) ? rows : null;
  }

  /** The CEL variables an expression reads (see cel-variables.ts), each built on first use. */
  celVariables(names: readonly CelVariableName[]): Partial<Record<CelVariableName, CelMap>> {
    const vars: Partial<Record<CelVariableName, CelMap>> = {};
    for (const name of names) {
      if (name === "request") vars.request = this.request.celRequest;
      else if (name === "now") vars.now = this.request.celNow;
      else {
        this.celStatementMemo ??= celStatement({
          statement: this.statement,
          target: this.request.request.target,
          subjects: this.subjects,
          findings: this.findings,
          estimatedRows: this.estimatedRows,
        });
        vars.statement = this.celStatementMemo;
      }
    }
    return vars;
  }
}
