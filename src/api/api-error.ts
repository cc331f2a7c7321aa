import type { ServerResponse } from "node:http";

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 422 | 429 | 500 | 502;

/** An API failure the caller can act on: the status, the input field at fault (or null) and what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: ApiErrorStatus,
    readonly field: string | null,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

/** The one error shape of the API: `{ error: { field, message } }`. */
export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.status, { error: { field: error.field, message: error.message } }, error.headers);
}
