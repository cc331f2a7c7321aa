import type { KeyObject } from "node:crypto";
import type { ShapeContext } from "../shapes/shape-context.js";

export interface ApiRequest {
  method: string;
  /** Path below /api/v3, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Path parameters of the matched OpenAPI route, decoded. */
  params: Record<string, string>;
  /** The full URL as the client sent it (used for pagination links). */
  url: URL;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext extends ShapeContext {
  appPublicKey: KeyObject;
  /** Wall clock in ms: token and JWT expiry are real-time, unlike the simulated timestamps. */
  nowMs(): number;
}

export type RouteHandler = (req: ApiRequest, ctx: RouteContext) => ApiResponse;

export interface RouteDefinition {
  /** "app-jwt": GitHub App JWT (the /app endpoints); "installation": an installation token. */
  auth: "app-jwt" | "installation";
  handle: RouteHandler;
}

/** Handlers keyed by OpenAPI operationId. */
export type RouteTable = Readonly<Record<string, RouteDefinition>>;
