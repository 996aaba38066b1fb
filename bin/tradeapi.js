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
await cli.main();
