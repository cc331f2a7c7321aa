import { SIMULATED_EPOCH } from "../simulator-limits.js";
import { nodeId, type ShapeContext } from "./shape-context.js";
import { userShape } from "./user-shape.js";

export function appShape(ctx: ShapeContext): Record<string, unknown> {
  const { app, org } = ctx.state;
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("App", app.id),
    client_id: `Iv1.${String(app.id).padStart(16, "0")}`,
    owner: userShape(ctx, org),
    name: app.slug,
    description: app.description,
    external_url: `${ctx.urls.web}/apps/${app.slug}`,
    html_url: `${ctx.urls.web}/apps/${app.slug}`,
    created_at: SIMULATED_EPOCH,
    updated_at: SIMULATED_EPOCH,
    permissions: { ...app.permissions },
    events: [...app.events],
  };
}

export function installationShape(ctx: ShapeContext): Record<string, unknown> {
  const { app, org } = ctx.state;
  const api = `${ctx.urls.api}/app/installations/${app.installationId}`;
  return {
    id: app.installationId,
    account: userShape(ctx, org),
    repository_selection: "all",
    access_tokens_url: `${api}/access_tokens`,
    repositories_url: `${ctx.urls.api}/installation/repositories`,
    html_url: `${ctx.urls.web}/organizations/${org}/settings/installations/${app.installationId}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: userShape(ctx, org).id,
    target_type: "Organization",
    permissions: { ...app.permissions },
    events: [...app.events],
    created_at: SIMULATED_EPOCH,
    updated_at: SIMULATED_EPOCH,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}
