/**
 * The one shape of a problem found in a file someone wrote (a policy, an action, a request, a policy test):
 * where it is and what to change.
 */
export interface SourceError {
  file: string;
  line: number;
  column?: number;
  /** Dotted path to the offending key, e.g. `rules[2].require.count`. */
  key: string;
  message: string;
}
