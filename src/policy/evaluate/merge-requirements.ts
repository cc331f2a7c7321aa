import type { RequirementSpec } from "../policy-types.js";
import { type StatementRequirement, statementRequirement } from "./compile-rule.js";

/**
 * Identical requirements (same source, label, count and set of principals) become one, listing every
 * statement they come from; ids stay readable and unique (`rule:x`, then `rule:x#2` for a different one).
 */
export class RequirementMerger {
  /** By id: ids are unique, and identical requirements share theirs, so one lookup finds a match. */
  private readonly byId = new Map<string, { key: string; spec: RequirementSpec }>();

  /** Adds (or joins) a requirement and returns its id in the merged list. */
  add(requirement: StatementRequirement, statements: readonly number[]): string {
    let id = requirement.id;
    for (let n = 2; ; n++) {
      const taken = this.byId.get(id);
      if (!taken) break;
      if (taken.key === requirement.key) {
        for (const s of statements) addPosition(taken.spec.statements, s);
        return id;
      }
      id = `${requirement.id}#${n}`;
    }
    const spec: RequirementSpec = {
      id,
      source: requirement.source,
      label: requirement.label,
      count: requirement.count,
      from: requirement.from,
      statements: [],
    };
    for (const s of statements) addPosition(spec.statements, s);
    this.byId.set(id, { key: requirement.key, spec });
    return id;
  }

  /** For requirements from outside the evaluator (another decision, the policy owners'). */
  addSpec(spec: RequirementSpec, statements: readonly number[]): string {
    return this.add(statementRequirement(spec), statements);
  }

  specs(): RequirementSpec[] {
    return [...this.byId.values()].map((v) => v.spec);
  }
}

/** Statements arrive in ascending order, so a duplicate is the last one; anything else is searched for. */
function addPosition(list: number[], position: number): void {
  const last = list[list.length - 1];
  if (last === position) return;
  if (last !== undefined && position < last && list.includes(position)) return;
  list.push(position);
}
