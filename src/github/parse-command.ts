export const COMMAND_PREFIX = "/querygate";
export const COMMAND_VERBS = ["plan", "run", "help"] as const;
export type CommandVerb = (typeof COMMAND_VERBS)[number];

export type ParsedCommand = { verb: CommandVerb } | { verb: "unknown"; word: string } | null;

/** Only the first line of a comment can hold a command; matching is case-insensitive. */
export function parseCommand(body: string): ParsedCommand {
  const first = (body.split("\n")[0] ?? "").trim();
  const [prefix, word = ""] = first.split(/\s+/);
  if (prefix?.toLowerCase() !== COMMAND_PREFIX) return null;
  const verb = word.toLowerCase();
  return (COMMAND_VERBS as readonly string[]).includes(verb)
    ? { verb: verb as CommandVerb }
    : { verb: "unknown", word };
}
