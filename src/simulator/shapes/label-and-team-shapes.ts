import type { LabelRecord, TeamRecord } from "../state/sim-state.js";
import { nodeId, type ShapeContext } from "./shape-context.js";

export function labelShape(
  ctx: ShapeContext,
  repoFullName: string,
  label: LabelRecord,
): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${ctx.urls.api}/repos/${repoFullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: null,
    color: label.color,
    default: false,
  };
}

export function teamShape(ctx: ShapeContext, team: TeamRecord): Record<string, unknown> {
  const url = `${ctx.urls.api}/organizations/${team.org}/team/${team.id}`;
  return {
    id: team.id,
    node_id: nodeId("Team", team.id),
    url,
    html_url: `${ctx.urls.web}/orgs/${team.org}/teams/${team.slug}`,
    name: team.name,
    slug: team.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "push",
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
  };
}
