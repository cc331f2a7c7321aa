import {
  type ScenarioEnvironment,
  SIM_WEBHOOK_SECRET,
  type StartScenarioEnvironmentParams,
  startScenarioEnvironment,
} from "../../src/sandbox/scenario-environment.js";
import { adminDatabaseUrl } from "./test-database.js";

export const REQUESTS_REPO = "acme/db-requests";

/**
 * The app, the simulator and fresh databases, with acme/db-requests holding `policy` on main, the team
 * @acme/dba (dana, dave), alice, dana and dave as collaborators, and webhooks going to the app.
 */
export async function startRequestsRepo(p: {
  policy: string;
  targets?: StartScenarioEnvironmentParams["targets"];
}): Promise<ScenarioEnvironment> {
  const env = await startScenarioEnvironment({
    owner: "acme",
    adminDatabaseUrl: adminDatabaseUrl(),
    logLevel: "fatal",
    ...(p.targets ? { targets: p.targets } : {}),
  });
  env.sim.createRepo({ fullName: REQUESTS_REPO, files: { "policies/querygate.yml": p.policy } });
  env.sim.addTeam({ org: "acme", slug: "dba", members: ["dana", "dave"] });
  for (const login of ["alice", "dana", "dave"]) env.sim.addCollaborator({ repo: REQUESTS_REPO, login });
  env.sim.setWebhookTarget(env.app.webhookUrl, SIM_WEBHOOK_SECRET);
  return env;
}
