import { ensureUser } from "../state/sim-state.js";
import { nodeId, type ShapeContext } from "./shape-context.js";

/** The `simple-user` object, limited to the fields webhook schemas allow. */
export function userShape(ctx: ShapeContext, login: string): Record<string, unknown> {
  const user = ensureUser(ctx.state, login);
  const url = `${ctx.urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === "Organization" ? "Organization" : user.type, user.id),
    avatar_url: `${ctx.urls.web}/avatars/u/${user.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `${ctx.urls.web}/${user.type === "Bot" ? `apps/${user.login.replace(/\[bot\]$/, "")}` : user.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

export function organizationShape(ctx: ShapeContext, login: string): Record<string, unknown> {
  const org = ensureUser(ctx.state, login, "Organization");
  const url = `${ctx.urls.api}/orgs/${encodeURIComponent(org.login)}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url,
    html_url: `${ctx.urls.web}/${org.login}`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${ctx.urls.web}/avatars/u/${org.id}?v=4`,
    description: null,
  };
}
