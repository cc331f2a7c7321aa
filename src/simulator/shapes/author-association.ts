import { findRepo, isOrgMember, type SimState } from "../state/sim-state.js";

export type AuthorAssociation = "OWNER" | "MEMBER" | "COLLABORATOR" | "NONE";

export function authorAssociation(state: SimState, repoFullName: string, login: string): AuthorAssociation {
  const [owner = "", name = ""] = repoFullName.split("/");
  const repo = findRepo(state, owner, name);
  if (owner.toLowerCase() === login.toLowerCase()) return "OWNER";
  if (isOrgMember(state, owner, login)) return "MEMBER";
  if (repo && [...repo.collaborators.keys()].some((c) => c.toLowerCase() === login.toLowerCase())) {
    return "COLLABORATOR";
  }
  return "NONE";
}
