import { API_CLIENT_TIMEOUT_MS } from "./api-client-limits.js";

/** The API refused a call (or could not be reached): its status, the field it named and its message. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly field: string | null,
    message: string,
    /** With 429: the seconds until the rate window ends (the API's Retry-After). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiClientError";
  }
}

export interface RequestId {
  owner: string;
  repo: string;
  number: number;
}

/** `GET /api/v1/requests/OWNER/REPO/N` (docs/api.md), as far as clients read it. */
export type ApiRequestStatus = Record<string, unknown> & {
  state: string;
  url: string;
  decision?: { conclusion?: string; title?: string | null } | null;
  missing_approvals?: string[];
};

/** `GET /api/v1/requests/OWNER/REPO/N/result` (docs/api.md). */
export type ApiRequestResult = Record<string, unknown> & {
  url: string;
  outcome: string;
  status: string;
  result: { markdown: string };
};

export interface ApiClient {
  submit(body: Record<string, unknown>): Promise<{ id: string; number: number; url: string }>;
  status(id: RequestId): Promise<ApiRequestStatus>;
  /** Null while the request has no result (the API's 404 for an existing request). */
  result(id: RequestId): Promise<ApiRequestResult | null>;
  targets(repo: string): Promise<Record<string, unknown>>;
  actions(repo: string): Promise<Record<string, unknown>>;
}

/** `OWNER/NAME#N` (what request_query returns) → its parts; throws ApiClientError naming `id`. */
export function parseRequestId(id: string): RequestId {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)#([1-9][0-9]{0,9})$/.exec(id.trim());
  if (!m)
    throw new ApiClientError(
      400,
      "id",
      `"${id}" is not a request id: give OWNER/NAME#NUMBER, as request_query returned`,
    );
  return { owner: m[1] as string, repo: m[2] as string, number: Number(m[3]) };
}

/** A thin client of the querygate HTTP API (fetch, bearer token). */
export function createApiClient(p: {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): ApiClient {
  const base = p.baseUrl.replace(/\/+$/, "");
  const doFetch = p.fetch ?? fetch;
  const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${p.token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(p.timeoutMs ?? API_CLIENT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiClientError(
        0,
        null,
        `cannot reach the querygate API at ${base}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      // Not JSON: reported below with the status.
    }
    if (!response.ok) {
      const error = (json as { error?: { field?: string | null; message?: string } } | null)?.error;
      const retry = response.headers.get("retry-after");
      const retrySeconds = retry !== null && /^\d+$/.test(retry) ? Number(retry) : null;
      throw new ApiClientError(
        response.status,
        error?.field ?? null,
        `${error?.message ?? `the querygate API answered ${response.status}`}${retry ? ` (retry after ${retry} s)` : ""}`,
        retrySeconds,
      );
    }
    return json as Record<string, unknown>;
  };
  const path = (id: RequestId) =>
    `/api/v1/requests/${encodeURIComponent(id.owner)}/${encodeURIComponent(id.repo)}/${id.number}`;
  return {
    submit: (body) => call("POST", "/api/v1/requests", body) as never,
    status: (id) => call("GET", path(id)) as never,
    async result(id) {
      try {
        return (await call("GET", `${path(id)}/result`)) as never;
      } catch (error) {
        if (error instanceof ApiClientError && error.status === 404 && error.field === null) return null;
        throw error;
      }
    },
    targets: (repo) => call("GET", `/api/v1/targets?repo=${encodeURIComponent(repo)}`),
    actions: (repo) => call("GET", `/api/v1/actions?repo=${encodeURIComponent(repo)}`),
  };
}
