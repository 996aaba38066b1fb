#!/usr/bin/env node
// The `tradeapi` command: runs the compiled CLI (npm run build writes dist/).
let cli;
try {
  cli = await import("../dist/src/cli/main.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("dist/src/cli/main.js")) throw e;
  process.stderr.write("tradeapi: the compiled CLI (dist/) is missing: run `npm run build`, or `npx tsx src/cli/main-entry.ts` to run it from source\n");
  process.exit(1);
}
// In a checkout (generated/ beside dist/), a spec regenerated but not compiled leaves the CLI
// and the emulators on the old spec: say so (an installed package has no generated/).
try {
  const { readdirSync, statSync } = await import("node:fs");
  const root = new URL("../", import.meta.url);
  const newest = (dir, ext) => Math.max(0, ...readdirSync(new URL(dir, root)).filter((f) => f.endsWith(ext)).map((f) => statSync(new URL(`${dir}${f}`, root)).mtimeMs));
  if (newest("generated/", ".ts") > newest("dist/generated/", ".js")) {
    process.stderr.write("tradeapi: warning: generated/ is newer than dist/ (the CLI runs dist/): run `npm run build` to use the regenerated spec\n");
  }
} catch {
  // no generated/ (an installed package) or no dist/generated: nothing to compare
}
await cli.main();
