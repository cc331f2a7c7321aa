import { issueInstallationToken } from "../auth/installation-tokens.js";
import { created, notFound, numberParam, ok, pathParam } from "../http/api-responses.js";
import type { RouteTable } from "../http/api-types.js";
import { appShape, installationShape } from "../shapes/app-shape.js";
import { findRepo } from "../state/sim-state.js";

export const appRoutes: RouteTable = {
  "apps/get-authenticated": {
    auth: "app-jwt",
    handle: (_req, ctx) => ok({ ...appShape(ctx), installations_count: 1 }),
  },
  "apps/create-installation-access-token": {
    auth: "app-jwt",
    handle(req, ctx) {
      if (numberParam(req, "installation_id") !== ctx.state.app.installationId) return notFound();
      const token = issueInstallationToken(ctx.state, ctx.nowMs());
      return created({
        token: token.token,
        expires_at: new Date(token.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { ...ctx.state.app.permissions },
        repository_selection: "all",
      });
    },
  },
  "apps/get-repo-installation": {
    auth: "app-jwt",
    handle(req, ctx) {
      const repo = findRepo(ctx.state, pathParam(req, "owner"), pathParam(req, "repo"));
      return repo && !repo.fork ? ok(installationShape(ctx)) : notFound();
    },
  },
};
