export type { Simulator, SimulatorOptions, SimulatorReport } from "./simulator.js";
export { startSimulator } from "./simulator.js";
