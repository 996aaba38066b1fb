/**
 * `npm run bench`: compiles the benches and the library code they import with tsc
 * (tsconfig.bench.json, into .tmp/bench-build/) and runs every bench/*.bench.ts's JavaScript in
 * turn, each in its own process: the library measured as a consumer runs it (tsx, which `npm
 * test` uses, wraps every function to keep its name, and those wrappers would be measured too).
 * `npm run bench -- transport` runs the benches whose file name holds "transport". Not part of
 * npm test.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const root = join(dir, "..");
const only = process.argv.slice(2);
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.bench.json")], { stdio: "inherit" });
const built = join(root, ".tmp/bench-build/bench");
for (const f of readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  const js = f.replace(/\.ts$/, ".js");
  console.log(`\n=== bench/${f} (compiled: .tmp/bench-build/bench/${js}, Node ${process.versions.node})`);
  execFileSync(process.execPath, [join(built, js)], { stdio: "inherit" });
}
