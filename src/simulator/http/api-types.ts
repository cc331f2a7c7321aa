import type { KeyObject } from "node:crypto";
import type { StepContext } from "../steps/step-context.js";

/**
 * Who makes a REST call: the app itself (its JWT), the app's installation (an installation token; GitHub
 * shows its bot, `<app slug>[bot]`), or a user or bot account with its own token (`createUserToken`).
 */
export type ApiActor =
  | { kind: "app" }
  | { kind: "installation"; login: string }
  | { kind: "user"; login: string };

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
  /** Whose credentials the request carries. */
  actor: ApiActor;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Shapes plus the webhook deliverer: a call that changes what GitHub would notify about sends the webhook. */
export interface RouteContext extends StepContext {
  appPublicKey: KeyObject;
  /** Wall clock in ms: token and JWT expiry are real-time, unlike the simulated timestamps. */
  nowMs(): number;
}

export type RouteHandler = (req: ApiRequest, ctx: RouteContext) => ApiResponse;

export interface RouteDefinition {
  /**
   * "app-jwt": GitHub App JWT (the /app endpoints); "installation": an installation token, or a user's
   * token (`createUserToken`) with the user's repository permission.
   */
  auth: "app-jwt" | "installation";
  /** Only a GitHub App may call this (e.g. creating check runs): a user's token gets 403. */
  appOnly?: boolean;
  handle: RouteHandler;
}

/** Handlers keyed by OpenAPI operationId. */
export type RouteTable = Readonly<Record<string, RouteDefinition>>;
