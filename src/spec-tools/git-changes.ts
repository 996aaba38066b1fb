/**
 * The spec changes between a git ref and the working tree of a project (the APIs its
 * redocly.yaml names, at the ref and now).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSpecEntries, specEntries } from "./project.js";
import { diffSpec, type SpecChange } from "./spec-diff.js";
import { parseSpecText, type Node } from "./spec-model.js";

/** A problem with what the command was given (exit 2). */
export class SpecUsage extends Error {}

function git(root: string, args: string[]): string {
  return execFileSync("git", ["-C", root, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

/** The spec changes between `base` and the working tree of the project at `root`. */
export async function specChanges(root: string, base = "HEAD", only?: string): Promise<SpecChange[]> {
  try {
    git(root, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  } catch {
    throw new SpecUsage(`git ref ${JSON.stringify(base)} does not exist in ${root}`);
  }
  const atBase = (path: string): string | undefined => {
    try {
      return git(root, ["show", `${base}:${path}`]);
    } catch {
      return undefined;
    }
  };
  const now = readSpecEntries(root);
  const baseRegistry = atBase("redocly.yaml");
  const then = baseRegistry ? specEntries(baseRegistry) : [];
  const names = [...new Set([...now, ...then].map((e) => e.name))];
  if (only !== undefined && !names.includes(only)) throw new SpecUsage(`unknown api ${JSON.stringify(only)}; known: ${names.join(", ")}`);
  const out: SpecChange[] = [];
  for (const name of only ? [only] : names) {
    const e1 = then.find((e) => e.name === name);
    const e2 = now.find((e) => e.name === name);
    const beforeText = e1 ? atBase(e1.root) : undefined;
    const before = beforeText === undefined ? undefined : parseSpecText(beforeText, `${e1!.root} at ${base}`);
    const after = e2 && existsSync(join(root, e2.root)) ? parseSpecText(readFileSync(join(root, e2.root), "utf8"), e2.root) : undefined;
    out.push(...(await diffSpec(name, before as Node | undefined, after)));
  }
  return out;
}

