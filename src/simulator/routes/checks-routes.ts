import {
  bodyOf,
  created,
  notFound,
  numberParam,
  ok,
  pathParam,
  unprocessable,
  validationFailed,
} from "../http/api-responses.js";
import type { ApiRequest, ApiResponse, RouteContext, RouteTable } from "../http/api-types.js";
import { paginate } from "../http/paginate.js";
import { annotationShape, checkRunShape } from "../shapes/check-run-shape.js";
import {
  MAX_ACTION_DESCRIPTION_CHARS,
  MAX_ACTION_IDENTIFIER_CHARS,
  MAX_ACTION_LABEL_CHARS,
  MAX_ANNOTATIONS_PER_REQUEST,
  MAX_CHECK_ACTIONS,
  MAX_CHECK_OUTPUT_BYTES,
} from "../simulator-limits.js";
import {
  type AnnotationRecord,
  type CheckActionRecord,
  type CheckRunRecord,
  type RepoRecord,
  resolveRef,
} from "../state/sim-state.js";
import { installedRepo } from "./route-helpers.js";

type Body = Record<string, unknown>;

/**
 * What GitHub enforces server-side on a check run write, beyond the JSON shape the OpenAPI check covers.
 * Returns a 422 response, or null when the body is acceptable.
 */
function checkRunProblems(body: Body, existing: CheckRunRecord | undefined): ApiResponse | null {
  const output = (body.output ?? undefined) as Body | undefined;
  for (const field of ["summary", "text"] as const) {
    const value = output?.[field];
    // GitHub counts UTF-8 bytes here: 21,846 CJK characters are 65,538 bytes, and refused.
    if (typeof value === "string" && Buffer.byteLength(value, "utf8") > MAX_CHECK_OUTPUT_BYTES) {
      return validationFailed([
        {
          resource: "CheckRun",
          code: "custom",
          field,
          message: `${field} exceeds a maximum bytesize of ${MAX_CHECK_OUTPUT_BYTES}`,
        },
      ]);
    }
  }
  const annotations = Array.isArray(output?.annotations) ? (output.annotations as Body[]) : [];
  if (annotations.length > MAX_ANNOTATIONS_PER_REQUEST) {
    return unprocessable(
      `Only ${MAX_ANNOTATIONS_PER_REQUEST} annotations are allowed per request; send the rest in further updates.`,
    );
  }
  for (const a of annotations) {
    const columns = a.start_column !== undefined || a.end_column !== undefined;
    if (columns && a.start_line !== a.end_line) {
      return unprocessable("Annotations only support start_column and end_column on the same line.");
    }
    if (typeof a.start_line === "number" && typeof a.end_line === "number" && a.end_line < a.start_line) {
      return unprocessable(`Annotation end_line ${a.end_line} is before start_line ${a.start_line}.`);
    }
  }
  const actions = Array.isArray(body.actions) ? (body.actions as Body[]) : [];
  if (actions.length > MAX_CHECK_ACTIONS)
    return unprocessable(`Only ${MAX_CHECK_ACTIONS} actions are allowed.`);
  for (const action of actions) {
    const limits: Array<[string, number]> = [
      ["label", MAX_ACTION_LABEL_CHARS],
      ["description", MAX_ACTION_DESCRIPTION_CHARS],
      ["identifier", MAX_ACTION_IDENTIFIER_CHARS],
    ];
    for (const [field, max] of limits) {
      const value = action[field];
      if (typeof value === "string" && value.length > max) {
        return unprocessable(`actions.${field} "${value}" is too long (maximum is ${max} characters).`);
      }
    }
  }
  const completing = body.status === "completed" || body.completed_at !== undefined;
  if (completing && body.conclusion === undefined && existing?.conclusion == null) {
    return validationFailed([
      {
        resource: "CheckRun",
        field: "conclusion",
        code: "missing_field",
        message: "conclusion is required when status is completed",
      },
    ]);
  }
  return null;
}

function applyWrite(run: CheckRunRecord, body: Body, now: string): void {
  if (typeof body.name === "string") run.name = body.name;
  if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
  if (typeof body.external_id === "string") run.externalId = body.external_id;
  if (typeof body.started_at === "string") run.startedAt = body.started_at;
  if (typeof body.status === "string") run.status = body.status;
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") {
    run.completedAt = typeof body.completed_at === "string" ? body.completed_at : (run.completedAt ?? now);
  } else {
    run.conclusion = null;
    run.completedAt = null;
  }
  const output = body.output as Body | undefined;
  if (output) {
    if (typeof output.title === "string") run.title = output.title;
    if (typeof output.summary === "string") run.summary = output.summary;
    if (typeof output.text === "string") run.text = output.text;
    const annotations = Array.isArray(output.annotations) ? (output.annotations as AnnotationRecord[]) : [];
    // Annotations accumulate across writes, like GitHub's.
    run.annotations.push(...annotations.map((a) => ({ ...a })));
  }
  if (Array.isArray(body.actions)) {
    run.actions = (body.actions as CheckActionRecord[]).map((a) => ({
      label: a.label,
      identifier: a.identifier,
      description: a.description,
    }));
  }
}

function suiteFor(ctx: RouteContext, repo: RepoRecord, headSha: string): number {
  const sibling = ctx.state.checkRuns.find((run) => run.repo === repo.fullName && run.headSha === headSha);
  return sibling?.checkSuiteId ?? ctx.state.nextId("checkSuite");
}

function createCheckRun(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const body = bodyOf(req);
  const headSha = String(body.head_sha ?? "");
  if (!ctx.state.git.getCommit(headSha)) return unprocessable(`No commit found for SHA: ${headSha}`);
  const problem = checkRunProblems(body, undefined);
  if (problem) return problem;
  const now = ctx.state.clock.tick();
  const run: CheckRunRecord = {
    id: ctx.state.nextId("checkRun"),
    repo: repo.fullName,
    checkSuiteId: suiteFor(ctx, repo, headSha),
    headSha,
    name: String(body.name ?? ""),
    status: "queued",
    conclusion: null,
    startedAt: now,
    completedAt: null,
    title: null,
    summary: null,
    text: null,
    annotations: [],
    actions: [],
    externalId: null,
    detailsUrl: null,
  };
  applyWrite(run, body, now);
  ctx.state.checkRuns.push(run);
  return created(checkRunShape(ctx, run));
}

function findRun(req: ApiRequest, ctx: RouteContext): CheckRunRecord | undefined {
  const repo = installedRepo(req, ctx);
  const id = numberParam(req, "check_run_id");
  return repo ? ctx.state.checkRuns.find((run) => run.id === id && run.repo === repo.fullName) : undefined;
}

function listForRef(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const ref = pathParam(req, "ref");
  const sha = resolveRef(ctx.state, repo, ref);
  if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${ref}`, status: "422" } };
  const name = req.query.get("check_name");
  const status = req.query.get("status");
  let runs = ctx.state.checkRuns
    .filter((run) => run.repo === repo.fullName && run.headSha === sha)
    .filter((run) => name === null || run.name === name)
    .filter((run) => status === null || run.status === status)
    .sort((a, b) => b.id - a.id);
  if ((req.query.get("filter") ?? "latest") === "latest") {
    // "latest": only the newest run of each name.
    const newest = new Map<string, CheckRunRecord>();
    for (const run of runs) if (!newest.has(run.name)) newest.set(run.name, run);
    runs = [...newest.values()];
  }
  const page = paginate(req, runs);
  return ok(
    { total_count: runs.length, check_runs: page.items.map((run) => checkRunShape(ctx, run)) },
    page.headers,
  );
}

export const checksRoutes: RouteTable = {
  "checks/create": { auth: "installation", appOnly: true, handle: createCheckRun },
  "checks/update": {
    auth: "installation",
    appOnly: true,
    handle(req, ctx) {
      const run = findRun(req, ctx);
      if (!run) return notFound();
      const body = bodyOf(req);
      const problem = checkRunProblems(body, run);
      if (problem) return problem;
      applyWrite(run, body, ctx.state.clock.tick());
      return ok(checkRunShape(ctx, run));
    },
  },
  "checks/get": {
    auth: "installation",
    handle(req, ctx) {
      const run = findRun(req, ctx);
      return run ? ok(checkRunShape(ctx, run)) : notFound();
    },
  },
  "checks/list-for-ref": { auth: "installation", handle: listForRef },
  "checks/list-annotations": {
    auth: "installation",
    handle(req, ctx) {
      const run = findRun(req, ctx);
      if (!run) return notFound();
      const page = paginate(req, run.annotations);
      const blobHref = `${ctx.urls.web}/${run.repo}`;
      return ok(
        page.items.map((annotation) => annotationShape(run, annotation, blobHref)),
        page.headers,
      );
    },
  },
};
