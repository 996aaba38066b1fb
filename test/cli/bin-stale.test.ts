/**
 * bin/tradeapi.js runs the compiled CLI (dist/). In a checkout whose generated/ is newer than
 * dist/ (a spec regenerated, not compiled) it says so on stderr before running; an installed
 * package (no generated/) and a built checkout say nothing. Against a stand-in dist/ in a
 * temporary folder, with file times set by hand.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const BIN = resolve(import.meta.dirname, "../../bin/tradeapi.js");

function checkout(): string {
  const root = tempDir("bin-stale-");
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  mkdirSync(join(root, "bin"));
  copyFileSync(BIN, join(root, "bin/tradeapi.js"));
  mkdirSync(join(root, "dist/src/cli"), { recursive: true });
  writeFileSync(join(root, "dist/src/cli/main.js"), 'export async function main() { process.stdout.write("ran\\n"); }\n');
  mkdirSync(join(root, "dist/generated"), { recursive: true });
  writeFileSync(join(root, "dist/generated/xt-spot.meta.js"), "");
  mkdirSync(join(root, "generated"));
  writeFileSync(join(root, "generated/xt-spot.meta.ts"), "");
  return root;
}
const at = (root: string, file: string, seconds: number) => utimesSync(join(root, file), seconds, seconds);
const run = (root: string) => spawnSync(process.execPath, [join(root, "bin/tradeapi.js")], { encoding: "utf8" });

describe("bin/tradeapi.js", () => {
  it("warns when generated/ is newer than dist/, then runs the CLI; says nothing when dist/ is newer or there is no generated/", () => {
    const root = checkout();
    at(root, "dist/generated/xt-spot.meta.js", 1_000_000);
    at(root, "generated/xt-spot.meta.ts", 2_000_000);
    const stale = run(root);
    expect(stale.stdout).toBe("ran\n");
    expect(stale.stderr).toBe("tradeapi: warning: generated/ is newer than dist/ (the CLI runs dist/): run `npm run build` to use the regenerated spec\n");
    at(root, "dist/generated/xt-spot.meta.js", 3_000_000);
    expect(run(root)).toMatchObject({ stdout: "ran\n", stderr: "" });
    rmSync(join(root, "generated"), { recursive: true });
    expect(run(root)).toMatchObject({ stdout: "ran\n", stderr: "" });
  });
});
