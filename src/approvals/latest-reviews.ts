import type { ReviewFact } from "./approval-types.js";

/**
 * Each reviewer's latest review that states a verdict. A later comment does not withdraw an approval or a
 * change request (as on GitHub); a dismissal does. Logins compare case-insensitively.
 */
export function latestReviews(reviews: readonly ReviewFact[]): ReviewFact[] {
  const latest = new Map<string, ReviewFact>();
  for (const review of [...reviews].sort((a, b) => a.id - b.id)) {
    if (review.state === "COMMENTED" || review.state === "PENDING") continue;
    latest.set(review.login.toLowerCase(), review);
  }
  return [...latest.values()].filter((r) => r.state !== "DISMISSED");
}

export function isBotAccount(login: string, userType: string): boolean {
  return userType === "Bot" || login.toLowerCase().endsWith("[bot]");
}
