/**
 * The spec changes between a git ref and the working tree of a project (the APIs its
 * redocly.yaml names, at the ref and now).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readSpecEntries, specEntries } from "./project.js";
import { diffSpec, type SpecChange } from "./spec-diff.js";
import { checkSpecSize, decodeSpecBytes, readSpecFile } from "./spec-file.js";
import { danglingRefs, parseSpecText, SpecParseError, type Node } from "./spec-model.js";

/** A problem with what the command was given (exit 2). */
export class SpecUsage extends Error {}

function git(root: string, args: string[]): Buffer {
  return execFileSync("git", ["-C", root, ...args], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

/**
 * A spec whose local `$ref`s point at nothing (a component renamed, its users not) cannot be
 * compared: the diff would show the renamed component as added and nothing as removed.
 */
function refuseDanglingRefs(doc: Node, where: string): void {
  const dangling = danglingRefs(doc);
  if (!dangling.length) return;
  const shown = dangling.slice(0, 10).map((d) => `  $ref ${JSON.stringify(d.ref)} at ${d.at}`);
  if (dangling.length > 10) shown.push(`  … and ${dangling.length - 10} more`);
  throw new SpecParseError(`${where}: ${dangling.length === 1 ? "a $ref points" : `${dangling.length} $refs point`} at nothing (a component renamed or removed while still used?); fix the spec, then diff again:\n${shown.join("\n")}`);
}

/** The spec changes between `base` and the working tree of the project at `root`. */
export async function specChanges(root: string, base = "HEAD", only?: string): Promise<SpecChange[]> {
  try {
    git(root, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  } catch {
    throw new SpecUsage(`git ref ${JSON.stringify(base)} does not exist in ${root}`);
  }
  const atBase = (path: string): Buffer | undefined => {
    try {
      return git(root, ["show", `${base}:${path}`]);
    } catch {
      return undefined;
    }
  };
  const now = readSpecEntries(root);
  const baseRegistry = atBase("redocly.yaml")?.toString("utf8");
  const then = baseRegistry ? specEntries(baseRegistry) : [];
  const names = [...new Set([...now, ...then].map((e) => e.name))];
  if (only !== undefined && !names.includes(only)) throw new SpecUsage(`unknown api ${JSON.stringify(only)}; known: ${names.join(", ")}`);
  const out: SpecChange[] = [];
  for (const name of only ? [only] : names) {
    const e1 = then.find((e) => e.name === name);
    const e2 = now.find((e) => e.name === name);
    // (an API removed is one gone from redocly.yaml; one listed there must have its spec)
    if (e2 && !existsSync(join(root, e2.root))) throw new SpecParseError(`redocly.yaml api \`${name}\`: root ${e2.root} does not exist`);
    const beforeBytes = e1 ? atBase(e1.root) : undefined;
    const beforeWhere = `${e1?.root} at ${base}`;
    if (beforeBytes) checkSpecSize(beforeBytes.length, beforeWhere);
    const before = beforeBytes === undefined ? undefined : parseSpecText(decodeSpecBytes(beforeBytes, beforeWhere), beforeWhere);
    const after = e2 ? parseSpecText(readSpecFile(join(root, e2.root), e2.root), e2.root) : undefined;
    if (after) refuseDanglingRefs(after, e2!.root);
    out.push(...(await diffSpec(name, before as Node | undefined, after)));
  }
  return out;
}

