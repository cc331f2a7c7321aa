import type { RouteTable } from "../http/api-types.js";
import { appRoutes } from "./app-routes.js";
import { checksRoutes } from "./checks-routes.js";
import { gitRoutes } from "./git-routes.js";
import { issuesRoutes } from "./issues-routes.js";
import { orgsRoutes } from "./orgs-routes.js";
import { pullsRoutes } from "./pulls-routes.js";
import { reposRoutes } from "./repos-routes.js";

/** Every REST operation the simulator implements, keyed by GitHub's OpenAPI operationId. */
export const routeTable: RouteTable = {
  ...appRoutes,
  ...checksRoutes,
  ...gitRoutes,
  ...issuesRoutes,
  ...orgsRoutes,
  ...pullsRoutes,
  ...reposRoutes,
};
