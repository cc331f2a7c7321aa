import type { RequirementSpec } from "../policy-types.js";
import { type StatementRequirement, statementRequirement } from "./compile-rule.js";

/** Up to this many distinct requirements a request keeps them in a list; beyond, in a map. */
const LINEAR_SCAN_LIMIT = 16;

/**
 * Identical requirements (same source, label, count and set of principals) become one, listing every
 * statement they come from; ids stay readable and unique (`rule:x`, then `rule:x#2` for a different one).
 */
export class RequirementMerger {
  private readonly merged: Array<{ key: string; spec: RequirementSpec }> = [];
  private byKey: Map<string, RequirementSpec> | null = null;
  private ids: Set<string> | null = null;

  /** Adds (or joins) a requirement and returns its id in the merged list. */
  add(requirement: StatementRequirement, statements: readonly number[]): string {
    const existing = this.find(requirement.key);
    if (existing) {
      for (const s of statements) addPosition(existing.statements, s);
      return existing.id;
    }
    let id = requirement.id;
    for (let n = 2; this.taken(id); n++) id = `${requirement.id}#${n}`;
    const spec: RequirementSpec = {
      id,
      source: requirement.source,
      label: requirement.label,
      count: requirement.count,
      from: requirement.from,
      statements: [],
    };
    for (const s of statements) addPosition(spec.statements, s);
    this.merged.push({ key: requirement.key, spec });
    this.byKey?.set(requirement.key, spec);
    this.ids?.add(id);
    return id;
  }

  /** For requirements from outside the evaluator (another decision, the policy owners'). */
  addSpec(spec: RequirementSpec, statements: readonly number[]): string {
    return this.add(statementRequirement(spec), statements);
  }

  specs(): RequirementSpec[] {
    return this.merged.map((m) => m.spec);
  }

  private find(key: string): RequirementSpec | undefined {
    if (this.byKey === null) {
      if (this.merged.length < LINEAR_SCAN_LIMIT) {
        for (const m of this.merged) if (m.key === key) return m.spec;
        return undefined;
      }
      this.byKey = new Map(this.merged.map((m) => [m.key, m.spec]));
      this.ids = new Set(this.merged.map((m) => m.spec.id));
    }
    return this.byKey.get(key);
  }

  private taken(id: string): boolean {
    return this.ids ? this.ids.has(id) : this.merged.some((m) => m.spec.id === id);
  }
}

/** Statements arrive in ascending order, so a duplicate is the last one; anything else is searched for. */
function addPosition(list: number[], position: number): void {
  const last = list[list.length - 1];
  if (last === position) return;
  if (last !== undefined && position < last && list.includes(position)) return;
  list.push(position);
}
