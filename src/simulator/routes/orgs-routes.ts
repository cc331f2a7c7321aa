import { noContent, notFound, ok, pathParam } from "../http/api-responses.js";
import type { RouteTable } from "../http/api-types.js";
import { userShape } from "../shapes/user-shape.js";
import { SIMULATED_EPOCH } from "../simulator-limits.js";
import { findTeam, findUser, isOrgMember } from "../state/sim-state.js";

export const orgsRoutes: RouteTable = {
  "teams/get-membership-for-user-in-org": {
    auth: "installation",
    handle(req, ctx) {
      const org = pathParam(req, "org");
      const team = findTeam(ctx.state, org, pathParam(req, "team_slug"));
      const username = pathParam(req, "username");
      const member = team && [...team.members].find((m) => m.toLowerCase() === username.toLowerCase());
      if (!team || !member) return notFound();
      return ok({
        url: `${ctx.urls.api}/organizations/${team.org}/team/${team.id}/memberships/${member}`,
        role: "member",
        state: "active",
      });
    },
  },
  "orgs/check-membership-for-user": {
    auth: "installation",
    handle(req, ctx) {
      return isOrgMember(ctx.state, pathParam(req, "org"), pathParam(req, "username"))
        ? noContent()
        : notFound();
    },
  },
  "users/get-by-username": {
    auth: "installation",
    handle(req, ctx) {
      const user = findUser(ctx.state, pathParam(req, "username"));
      if (!user) return notFound();
      return ok({
        ...userShape(ctx, user.login),
        name: null,
        company: null,
        blog: "",
        location: null,
        email: null,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: SIMULATED_EPOCH,
        updated_at: SIMULATED_EPOCH,
      });
    },
  },
};
