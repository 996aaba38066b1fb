// Runs the CLI from source (used by tests and `npx tsx src/cli/main-entry.ts`); bin/tradeapi.js runs the compiled one.
import { main } from "./main.js";

await main();
