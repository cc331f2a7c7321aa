import { CHECK_NAME } from "../github/limits.js";
import {
  countCalls,
  runScenarioSteps,
  type StepRecord,
  setUpScenarioRepository,
} from "../simulator/scenario/scenario-steps.js";
import type { SimulatorReport } from "../simulator/simulator.js";
import { type ScenarioExecution, startScenarioEnvironment } from "./scenario-environment.js";
import type { Scenario } from "./scenario-load.js";

export type { StepRecord } from "../simulator/scenario/scenario-steps.js";

export interface ScenarioReport extends SimulatorReport {
  /** The runner's ledger at the end: every execution queued, with its outcome. */
  executions: ScenarioExecution[];
  ok: boolean;
  steps: StepRecord[];
  targets: Array<{ name: string; database: string; seeded: boolean }>;
  deliveries: number;
  failed_deliveries: Array<{ id: string; event: string; action: string | null; status: number }>;
  api_calls: { total: number; by_route: Record<string, number> };
  violations: string[];
}

export interface RunScenarioParams {
  scenario: Scenario;
  /** An admin URL of a PostgreSQL server to create fresh databases on; embedded PostgreSQL when null. */
  adminDatabaseUrl: string | null;
  onStep?: (record: StepRecord) => void;
  handleSignals?: boolean;
  /** Called after the last step, before the databases are dropped: tests read the targets' state here. */
  beforeClose?: (targets: Array<{ name: string; url: string }>) => Promise<void>;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
}

/** Runs the real app over HTTP against the simulator, one step at a time, and reports what GitHub would show. */
export async function runScenario(params: RunScenarioParams): Promise<ScenarioReport> {
  const { scenario } = params;
  const [owner] = scenario.repo.split("/") as [string, string];
  const env = await startScenarioEnvironment({
    owner,
    adminDatabaseUrl: params.adminDatabaseUrl,
    targets: scenario.targets,
    logLevel: params.logLevel,
    handleSignals: params.handleSignals,
  });
  try {
    const { sim } = env;
    setUpScenarioRepository(sim, scenario);
    // A step ends when every execution it queued has run and been reported (the worker is asynchronous).
    const steps = await runScenarioSteps(sim, scenario, {
      settle: () => env.settleExecutions(),
      onStep: params.onStep,
      clickCheckName: CHECK_NAME,
    });

    const final = { ...sim.report(), executions: await env.executions() };
    await params.beforeClose?.(env.targets.map(({ name, url }) => ({ name, url })));
    const failed = sim.deliveries.filter((d) => d.status < 200 || d.status >= 300);
    const violations = [...sim.violations];
    return {
      ...final,
      ok: violations.length === 0 && failed.length === 0,
      steps,
      targets: env.targets.map(({ name, database, seeded }) => ({ name, database, seeded })),
      deliveries: sim.deliveries.length,
      failed_deliveries: failed.map(({ id, event, action, status }) => ({ id, event, action, status })),
      api_calls: countCalls(sim.apiCalls),
      violations,
    };
  } finally {
    await env.close();
  }
}
