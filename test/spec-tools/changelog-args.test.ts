/**
 * `npm run changelog -- --base <ref>` given wrong arguments: the message, the usage and exit 2
 * (parseArgs threw outside the script's handler: a stack trace and exit 1). Nothing is written.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

async function changelog(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/changelog.ts", ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("npm run changelog with wrong arguments", () => {
  it("a misspelt flag, --base without its ref, a stray argument: exit 2, what is wrong and the usage", async () => {
    const before = readFileSync("CHANGELOG.md", "utf8");
    const runs = await Promise.all([["--bsae", "v0.16.0"], ["--base"], ["--base", "HEAD", "extra"]].map(changelog));
    for (const [i, message] of ["Unknown option '--bsae'", "Option '--base <value>' argument missing", "Unexpected argument 'extra'"].entries()) {
      const r = runs[i]!;
      expect([r.code, r.stdout], message).toEqual([2, ""]);
      expect(r.stderr, message).toMatch(new RegExp(`^changelog: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*\\nusage: npm run changelog -- --base <git-ref>`));
      expect(r.stderr, message).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync("CHANGELOG.md", "utf8") === before).toBe(true);
  });
});
