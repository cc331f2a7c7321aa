import type { ApiRequest, ApiResponse } from "./api-types.js";

const DOCS = "https://docs.github.com/rest";

export function ok(body: unknown, headers?: Record<string, string>): ApiResponse {
  return { status: 200, body, ...(headers ? { headers } : {}) };
}

export function created(body: unknown): ApiResponse {
  return { status: 201, body };
}

export function noContent(): ApiResponse {
  return { status: 204 };
}

export function notFound(): ApiResponse {
  return { status: 404, body: { message: "Not Found", documentation_url: DOCS, status: "404" } };
}

/** GitHub's plain 422: one message, as for "Reference already exists" or "Update is not a fast forward". */
export function unprocessable(message: string): ApiResponse {
  return { status: 422, body: { message, documentation_url: DOCS, status: "422" } };
}

/** GitHub's field-level 422: "Validation Failed" with an errors array. */
export function validationFailed(errors: Array<Record<string, unknown>>): ApiResponse {
  return {
    status: 422,
    body: { message: "Validation Failed", errors, documentation_url: DOCS, status: "422" },
  };
}

/** A path parameter of the matched route; a missing one is a route-table bug, not a client error. */
export function pathParam(req: ApiRequest, name: string): string {
  const value = req.params[name];
  if (value === undefined) {
    throw new Error(`simulator route bug: ${req.method} ${req.path} has no path parameter {${name}}`);
  }
  return value;
}

export function numberParam(req: ApiRequest, name: string): number {
  return Number(pathParam(req, name));
}

/** The request body as an object ({} when absent); the OpenAPI check has already vetted its shape. */
export function bodyOf(req: ApiRequest): Record<string, unknown> {
  return req.body !== null && typeof req.body === "object" && !Array.isArray(req.body)
    ? (req.body as Record<string, unknown>)
    : {};
}
