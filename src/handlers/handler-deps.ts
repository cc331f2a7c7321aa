import type { Dialect } from "../sql/statement.js";
import type { StateStore } from "../store/state-store.js";

/** What every handler needs besides the event; bound once in src/index.ts. */
export interface HandlerDeps {
  store: StateStore;
  dialect: Dialect;
}
