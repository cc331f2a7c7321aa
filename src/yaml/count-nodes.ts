/**
 * Counts the values a full walk would visit — an aliased value once per use — stopping as soon as the count
 * passes `budget`, so the cost is bounded by the budget whatever aliases multiply to (or cycle through).
 */
export function countNodes(root: unknown, budget: number): number {
  let count = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0 && count <= budget) {
    const value = pending.pop();
    count += 1;
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === "object" && value !== null) {
      for (const item of Object.values(value)) pending.push(item);
    }
  }
  return count;
}
