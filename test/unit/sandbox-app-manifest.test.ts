import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readAppManifest } from "../../src/sandbox/app-manifest.js";

describe("the app registration the sandbox gives the simulator", () => {
  it("comes from app.yml: slug, default permissions and events", () => {
    expect(readAppManifest()).toEqual({
      appSlug: "querygate",
      appDescription: "Policy-as-code approval for database queries, through pull requests.",
      appPermissions: {
        checks: "write",
        contents: "write",
        pull_requests: "write",
        issues: "write",
        members: "read",
        metadata: "read",
      },
      appEvents: ["pull_request", "pull_request_review", "issue_comment", "check_run"],
    });
  });

  it("derives the slug from the name as GitHub does and refuses a permission level it does not know", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "querygate-manifest-"));
    try {
      const file = path.join(dir, "app.yml");
      writeFileSync(file, "name: My Query Gate!\ndefault_permissions: { checks: write }\n");
      expect(readAppManifest(file)).toMatchObject({ appSlug: "my-query-gate", appEvents: [] });
      writeFileSync(file, "name: x\ndefault_permissions: { checks: admin }\n");
      expect(() => readAppManifest(file)).toThrow(`${file}: \`default_permissions\` must map`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
