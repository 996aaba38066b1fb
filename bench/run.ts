/** `npm run bench`: every bench/*.bench.ts in turn, each in its own process. Not part of npm test. */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const f of readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n=== bench/${f}`);
  execFileSync(process.execPath, ["--import", "tsx", join(dir, f)], { stdio: "inherit" });
}
