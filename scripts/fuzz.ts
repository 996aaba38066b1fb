/**
 * `npm run fuzz [-- --rounds N] [test files] [vitest args]`: the property tests (the test files
 * named, or every one that imports fast-check) with fast-check's random generator started anew,
 * N rounds (1 by default), to find cases `npm test` does not try: there it starts at a fixed
 * value (FC_SEED unset), so a run tries the same cases every time. Each file prints the value
 * it started from, and a failure its smallest case: add the case as a test;
 * `FC_SEED=<value> npm run fuzz -- <file>` tries them again.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { ROOT } from "./api-registry.js";

const args = process.argv.slice(2);
let rounds = 1;
const at = args.indexOf("--rounds");
if (at >= 0) {
  rounds = Number(args[at + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`--rounds takes a whole number, 1 or more, got ${JSON.stringify(args[at + 1] ?? "nothing")}`);
    process.exit(2);
  }
  args.splice(at, 2);
}

// Test files named among the arguments are the ones run (vitest would run them with every other).
const named = args.filter((a) => a.endsWith(".test.ts"));
const others = args.filter((a) => !a.endsWith(".test.ts"));
const all = (readdirSync(join(ROOT, "test"), { recursive: true, encoding: "utf8" }) as string[])
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => join(ROOT, "test", f))
  .filter((f) => /from "fast-check"/.test(readFileSync(f, "utf8")))
  .map((f) => relative(ROOT, f))
  .sort();
const files = named.length ? named : all;
const vitest = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs");
const env = { ...process.env, FC_SEED: process.env.FC_SEED || "random" };
console.log(`fuzz: ${files.length} files of property tests, FC_SEED=${env.FC_SEED}, ${rounds} round(s)`);
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) console.log(`\n== round ${round} of ${rounds}`);
  const run = spawnSync(process.execPath, [vitest, "run", ...files, ...others], { cwd: ROOT, env, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
