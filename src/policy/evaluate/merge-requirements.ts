import type { RequirementSpec } from "../policy-types.js";
import { type StatementRequirement, statementRequirement } from "./compile-rule.js";

/**
 * Identical requirements (same source, label, count and set of principals) become one, listing every
 * statement they come from; ids stay readable and unique (`rule:x`, then `rule:x#2` for a different one).
 */
export class RequirementMerger {
  private readonly byKey = new Map<string, { spec: RequirementSpec; statements: Set<number> }>();
  private readonly taken = new Set<string>();

  /** Adds (or joins) a requirement and returns its id in the merged list. */
  add(requirement: StatementRequirement, statements: number[]): string {
    const key = requirement.key;
    const existing = this.byKey.get(key);
    if (existing) {
      for (const s of statements) {
        if (existing.statements.has(s)) continue;
        existing.statements.add(s);
        existing.spec.statements.push(s);
      }
      return existing.spec.id;
    }
    let id = requirement.id;
    for (let n = 2; this.taken.has(id); n++) id = `${requirement.id}#${n}`;
    this.taken.add(id);
    const spec: RequirementSpec = {
      id,
      source: requirement.source,
      label: requirement.label,
      count: requirement.count,
      from: requirement.from,
      statements: [...new Set(statements)],
    };
    this.byKey.set(key, { spec, statements: new Set(statements) });
    return id;
  }

  /** For requirements from outside the evaluator (another decision, the policy owners'). */
  addSpec(spec: RequirementSpec, statements: number[]): string {
    return this.add(statementRequirement(spec), statements);
  }

  specs(): RequirementSpec[] {
    return [...this.byKey.values()].map((v) => v.spec);
  }
}
