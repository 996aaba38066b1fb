/**
 * Words users see speak of the vendor's documents, never of this project's inputs ("seed",
 * "reference notes") or of paths outside the project (`shared/…`). Tests may still read the
 * vendor docs from ../shared; everything users read (specs, generated metadata, sources whose
 * comments end up in .d.ts files, README, CHANGELOG (the docs portal shows it), docs, scripts)
 * must not name them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startXtMock, XT_MOCK_ACCESS_KEY } from "../src/mock/xt.js";
import type { HttpMock } from "../src/mock/http-mock.js";
import { runCliCaptured } from "./helpers/cli.js";

const ROOT = join(import.meta.dirname, "..");
const FORBIDDEN = /\bseeds?\b|reference notes|shared\/(?:seeds|reference)|\.\.\/shared\b/i;

function userFacingFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--", "specs", "src", "generated", "docs", "scripts", "README.md", "CHANGELOG.md", "package.json", "redocly.yaml", "LICENSE", "bin", ".ci"], { cwd: ROOT, encoding: "utf8" });
  return out.split("\n").filter((f) => f && !f.startsWith("docs/api/"));
}

describe("words users see", () => {
  it("no spec, generated file, source, script or doc speaks of seeds, reference notes or shared/", () => {
    const hits: string[] = [];
    for (const file of userFacingFiles()) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), "utf8");
      } catch {
        continue; // listed by git but deleted in the worktree
      }
      text.split("\n").forEach((line, i) => {
        if (FORBIDDEN.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("every spec's info.version names the vendor doc's version or date, never 'seed'", () => {
    for (const file of userFacingFiles().filter((f) => /^specs\/.*\.ya?ml$/.test(f))) {
      const version = /^info:\n(?:[ ].*\n)*?[ ]{2}version:\s*(.+)$/m.exec(readFileSync(join(ROOT, file), "utf8"))?.[1];
      expect(version, file).toMatch(/^(?:\d+\.\d+(?:\.\d+)?|vendor doc, undated|vendor doc, \d{4}-\d{2}-\d{2})/);
    }
  });

  describe("a wrong XT secret", () => {
    let mock: HttpMock;
    beforeAll(async () => {
      mock = await startXtMock();
    });
    afterAll(() => mock.close());

    it("prints the vendor's meaning of the code, nothing about where the spec learnt it", async () => {
      const run = await runCliCaptured(["call", "xt", "getBalance"], { XT_BASE_URL: mock.url, XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: "wrong-secret-value" });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/308/);
      expect(run.stderr).toMatch(/Signature verification failed/);
      expect(run.stderr).not.toMatch(FORBIDDEN);
      expect(run.stderr).not.toMatch(/\(from /);
    });
  });
});
