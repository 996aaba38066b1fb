/**
 * Where the specs are: the project root is the nearest folder at or above `cwd` whose
 * `redocly.yaml` names the APIs (`apis:`), else the installed package's own folder.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSpecYaml } from "./spec-file.js";

export interface SpecEntry {
  name: string;
  /** path relative to the project root */
  root: string;
}

export function findProjectRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "redocly.yaml"))) return dir;
    if (dirname(dir) === dir) break;
  }
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "redocly.yaml"))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no redocly.yaml (the list of APIs) at or above ${cwd}`);
}

/** The APIs named by a redocly.yaml text. */
export function specEntries(redoclyYaml: string, where = "redocly.yaml"): SpecEntry[] {
  // A YAML error is one line naming the file, line and column, as the specs' are.
  const config = parseSpecYaml(redoclyYaml, where) as { apis?: Record<string, { root?: string }> } | null;
  return Object.entries(config?.apis ?? {})
    .filter(([, e]) => typeof e?.root === "string")
    .map(([name, e]) => ({ name: name.replace(/@.*$/, ""), root: e.root! }));
}

export function readSpecEntries(root: string): SpecEntry[] {
  return specEntries(readFileSync(join(root, "redocly.yaml"), "utf8"));
}

/**
 * The files that implement an API's signing by hand, those that exist at `root`, by the
 * project's layout (README "How it is built"): its pure signer `src/auth/<api>.ts` and its
 * emulator's signature (or token) check `src/mock/<api>/auth.ts`.
 */
export function handWrittenSigning(root: string, api: string): string[] {
  return [`src/auth/${api}.ts`, `src/mock/${api}/auth.ts`].filter((f) => existsSync(join(root, f)));
}
