/**
 * `npm run build`: generate → compile → docs, one line per stage with its time, so a long
 * build shows where it is. Each stage is the npm script of the same name (`npm run generate`,
 * `npm run compile`, `npm run docs` still run one stage alone). A failing stage stops the
 * build with its exit code and names the stage.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "./api-registry.js";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");

interface Stage {
  name: string;
  what: string;
  args: string[];
}

const STAGES: Stage[] = [
  { name: "generate", what: "specs → generated/ (types and metadata)", args: ["--import", "tsx", join(ROOT, "scripts/generate.ts")] },
  { name: "compile", what: "TypeScript → dist/", args: [tsc, "-p", join(ROOT, "tsconfig.build.json")] },
  { name: "docs", what: "offline API reference → docs/api/", args: ["--import", "tsx", join(ROOT, "scripts/build-docs.ts")] },
];

function run(stage: Stage): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, stage.args, { cwd: ROOT, stdio: "inherit" });
    child.once("error", () => resolve(1));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const started = Date.now();
for (const [i, stage] of STAGES.entries()) {
  const label = `build [${i + 1}/${STAGES.length}] ${stage.name.padEnd(8)}`;
  const t0 = Date.now();
  const code = await run(stage);
  if (code !== 0) {
    process.stderr.write(`${label} FAILED after ${seconds(Date.now() - t0)} (exit ${code}): ${stage.what}\n`);
    process.exit(code);
  }
  process.stdout.write(`${label} ${seconds(Date.now() - t0).padStart(7)}  ${stage.what}\n`);
}
process.stdout.write(`build done in ${seconds(Date.now() - started)}\n`);
