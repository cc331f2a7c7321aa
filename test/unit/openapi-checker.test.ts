import { describe, expect, it } from "vitest";
import { type CheckRequestInput, createOpenApiChecker } from "../../src/simulator/openapi/openapi-checker.js";

const checker = createOpenApiChecker();

function request(method: string, url: string, body?: unknown): CheckRequestInput {
  const [path = "", query = ""] = url.split("?");
  return { method, path, query: new URLSearchParams(query), body };
}

const annotation = {
  path: "queries/a.sql",
  start_line: 1,
  end_line: 1,
  annotation_level: "notice",
  message: "ok",
};

function updateWithAnnotations(count: number): CheckRequestInput {
  const output = {
    title: "querygate",
    summary: "s",
    annotations: Array.from({ length: count }, () => annotation),
  };
  return request("PATCH", "/repos/acme/db/check-runs/12", { output });
}

describe("createOpenApiChecker", () => {
  it("accepts a valid check run creation", () => {
    const result = checker.check(
      request("POST", "/repos/acme/db/check-runs", { name: "querygate", head_sha: "abc" }),
    );
    expect(result).toEqual({
      ok: true,
      route: {
        operationId: "checks/create",
        method: "POST",
        template: "/repos/{owner}/{repo}/check-runs",
        params: { owner: "acme", repo: "db" },
      },
      errors: [],
    });
  });

  it("names a missing required body property", () => {
    const result = checker.check(request("POST", "/repos/acme/db/check-runs", { name: "querygate" }));
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual(["checks/create: / must have required property 'head_sha'"]);
  });

  it("enforces the 65535 character summary limit", () => {
    const create = (summary: string) =>
      checker.check(
        request("POST", "/repos/acme/db/check-runs", {
          name: "q",
          head_sha: "abc",
          output: { title: "t", summary },
        }),
      );
    expect(create("x".repeat(65535)).errors).toEqual([]);
    expect(create("x".repeat(65536)).errors).toEqual([
      "checks/create: /output/summary must NOT have more than 65535 characters",
    ]);
  });

  it("enforces the 50 annotations limit on updates", () => {
    const ok = checker.check(updateWithAnnotations(50));
    expect(ok.errors).toEqual([]);
    expect(ok.route?.operationId).toBe("checks/update");
    expect(checker.check(updateWithAnnotations(51)).errors).toEqual([
      "checks/update: /output/annotations must NOT have more than 50 items",
    ]);
  });

  it("rejects unknown routes", () => {
    expect(checker.check(request("GET", "/foo/bar"))).toEqual({
      ok: false,
      route: null,
      errors: ["no operation GET /foo/bar in GitHub's OpenAPI description"],
    });
    expect(checker.matchRoute("DELETE", "/repos/acme/db/check-runs")).toBeNull();
  });

  it("prefers literal segments over parameters", () => {
    expect(checker.matchRoute("GET", "/repos/acme/db/pulls/comments")).toMatchObject({
      operationId: "pulls/list-review-comments-for-repo",
      template: "/repos/{owner}/{repo}/pulls/comments",
    });
    expect(checker.matchRoute("GET", "/repos/acme/db/pulls/7")).toMatchObject({
      operationId: "pulls/get",
      params: { owner: "acme", repo: "db", pull_number: "7" },
    });
  });

  it("rejects a non-integer path parameter", () => {
    const result = checker.check({ ...updateWithAnnotations(1), path: "/repos/acme/db/check-runs/twelve" });
    expect(result.ok).toBe(false);
    expect(result.route?.operationId).toBe("checks/update");
    expect(result.errors).toEqual([
      'checks/update: path parameter check_run_id must be integer (got "twelve")',
    ]);
  });

  it("coerces and validates query parameters", () => {
    const files = checker.check(request("GET", "/repos/acme/db/pulls/1/files?per_page=100&unknown=1"));
    expect(files.errors).toEqual([]);
    expect(files.route?.operationId).toBe("pulls/list-files");
    expect(checker.check(request("GET", "/repos/acme/db/pulls/1/files?page=first")).errors).toEqual([
      'pulls/list-files: query parameter page must be integer (got "first")',
    ]);
    expect(checker.check(request("GET", "/search/issues")).errors).toEqual([
      "search/issues-and-pull-requests: missing required query parameter q",
    ]);
  });

  it("accepts an installation token request without a body", () => {
    const result = checker.check(request("POST", "/app/installations/1/access_tokens"));
    expect(result.errors).toEqual([]);
    expect(result.route?.operationId).toBe("apps/create-installation-access-token");
  });

  it("requires a body when the operation does", () => {
    expect(checker.check(request("POST", "/repos/acme/db/check-runs")).errors).toEqual([
      "checks/create: request body is required but none was sent",
    ]);
  });

  it("rejects a body on an operation that takes none", () => {
    const result = checker.check(request("GET", "/repos/acme/db/pulls/1", { title: "x" }));
    expect(result.errors).toEqual(['pulls/get: takes no request body, but one was sent ({"title":"x"})']);
  });

  it("lets a multi-segment path parameter contain slashes", () => {
    const result = checker.check(request("GET", "/repos/acme/db/contents/queries/a.sql?ref=abc"));
    expect(result.errors).toEqual([]);
    expect(result.route).toEqual({
      operationId: "repos/get-content",
      method: "GET",
      template: "/repos/{owner}/{repo}/contents/{path}",
      params: { owner: "acme", repo: "db", path: "queries/a.sql" },
    });
  });

  it("lets a trailing git ref contain slashes", () => {
    expect(checker.matchRoute("GET", "/repos/acme/db/git/ref/heads/feature/x")).toMatchObject({
      operationId: "git/get-ref",
      params: { ref: "heads/feature/x" },
    });
  });

  it("decodes path parameters", () => {
    expect(checker.matchRoute("get", "/repos/acme/db/git/ref/heads%2Ffeature%20x")?.params.ref).toBe(
      "heads/feature x",
    );
  });

  it("honours OpenAPI nullable and merges type alternatives", () => {
    const create = (milestone: unknown) =>
      checker.check(request("POST", "/repos/acme/db/issues", { title: "t", milestone })).errors;
    expect(create(null)).toEqual([]);
    expect(create(3)).toEqual([]);
    expect(create(true)).toEqual(["issues/create: /milestone must be null, string or integer"]);
  });
});
