/**
 * The APIs, as `redocly.yaml` names them (`apis:`): one entry per API is all it takes for the
 * generator, the linter and the docs build to pick a spec up.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { readSpecFile } from "../src/spec-tools/spec-file.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface ApiEntry {
  /** The CLI name (`tradeapi call <name> ...`). */
  name: string;
  /** Spec path relative to the repo root. */
  root: string;
  kind: "openapi" | "asyncapi";
  /** generated/<spec>.ts: types */
  typesOutput: string;
  /** generated/<spec>.meta.ts: operation metadata (OpenAPI only) */
  metaOutput: string;
}

/** The APIs of the project at `root` (default this repository). */
export function readApis(root: string = ROOT): ApiEntry[] {
  const config = parse(readFileSync(join(root, "redocly.yaml"), "utf8")) as {
    apis: Record<string, { root: string; "x-openapi-ts"?: { output?: string } }>;
  };
  return Object.entries(config.apis).map(([name, entry]) => {
    if (!existsSync(join(root, entry.root))) throw new Error(`redocly.yaml api \`${name}\`: root ${entry.root} does not exist`);
    // (not UTF-8, too big: refused here, naming the file, before anything reads it)
    const text = readSpecFile(join(root, entry.root), entry.root);
    const kind = /^asyncapi\s*:/m.test(text) ? "asyncapi" : "openapi";
    const stem = basename(entry.root).replace(/\.ya?ml$/, "");
    const typesOutput = entry["x-openapi-ts"]?.output ?? `generated/${stem}.ts`;
    return { name: name.replace(/@.*$/, ""), root: entry.root, kind, typesOutput, metaOutput: typesOutput.replace(/\.ts$/, ".meta.ts") };
  });
}
