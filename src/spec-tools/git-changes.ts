/**
 * The spec changes between a git ref and the working tree of a project (the APIs its
 * redocly.yaml names, at the ref and now). Both versions of a spec are read the same way
 * (readSpec, parseSpecText, no `$ref` pointing at nothing); a problem with the one at the ref
 * is named `<file> at <ref>`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, posix } from "node:path";
import { closest, quotedValue } from "../handwritten/core/validate.js";
import { handWrittenSigning, readSpecEntries, specEntries, type SpecEntry } from "./project.js";
import { diffSpec, markHandWritten, type SpecChange } from "./spec-diff.js";
import { MAX_SPEC_BYTES, readSpec, readSpecFile, type SpecSource } from "./spec-file.js";
import { danglingRefs, parseSpecText, SpecParseError, type Node } from "./spec-model.js";

/** A problem with what the command was given (exit 2). */
export class SpecUsage extends Error {}

function git(root: string, args: string[], maxBuffer = 256 * 1024 * 1024): Buffer {
  return execFileSync("git", ["-C", root, ...args], { stdio: ["ignore", "pipe", "pipe"], maxBuffer });
}

/** What git said when a command failed (its first line), for a message. */
function gitSaid(e: unknown): string {
  const stderr = String((e as { stderr?: unknown }).stderr ?? "").trim();
  return (stderr || (e instanceof Error ? e.message : String(e))).split("\n")[0]!;
}

/**
 * A spec whose local `$ref`s point at nothing (a component renamed, its users not) cannot be
 * compared: the diff would show the renamed component as added and nothing as removed.
 */
function refuseDanglingRefs(doc: Node, where: string, what: string): void {
  const dangling = danglingRefs(doc);
  if (!dangling.length) return;
  const shown = dangling.slice(0, 10).map((d) => `  $ref ${JSON.stringify(d.ref)} at ${d.at}${d.outside ? " (another file)" : ""}`);
  if (dangling.length > 10) shown.push(`  … and ${dangling.length - 10} more`);
  const why = dangling.every((d) => d.outside)
    ? `${dangling.length === 1 ? "a $ref points" : `${dangling.length} $refs point`} into another file (a spec is one file: put what it names under components)`
    : `${dangling.length === 1 ? "a $ref points" : `${dangling.length} $refs point`} at nothing (a component renamed or removed while still used?${dangling.some((d) => d.outside) ? " or into another file" : ""})`;
  throw new SpecParseError(`${where}: ${why}; ${what}:\n${shown.join("\n")}`);
}

/** A spec's text as a document that can be compared (named `where` in every message). */
function loadSpec(text: string, where: string, whatToDo: string): Node {
  const doc = parseSpecText(text, where);
  refuseDanglingRefs(doc, where, whatToDo);
  return doc;
}

/** The files of one commit, read as the working tree's are (paths relative to the project root). */
class GitVersion {
  constructor(
    private readonly root: string,
    /** the commit's id (the ref resolved once: every file is read from the same commit) */
    private readonly commit: string,
    /** the ref as given, for messages */
    readonly ref: string,
  ) {}

  /** The tree entry at `path`, symbolic links followed within the commit (as the file system follows them); undefined: nothing there. */
  private entry(path: string, where: string): { mode: string; type: string; oid: string } | undefined {
    for (let hops = 0; hops < 40; hops++) {
      let out: string;
      try {
        out = git(this.root, ["--literal-pathspecs", "ls-tree", "-z", this.commit, "--", path]).toString("utf8");
      } catch (e) {
        throw new SpecParseError(`${where} cannot be read: ${gitSaid(e)}`);
      }
      const listed = out.split("\0").filter(Boolean);
      if (!listed.length && hops) throw new SpecParseError(`${where} is a symbolic link to ${path}, which does not exist at ${this.ref}`);
      if (!listed.length) return undefined;
      // (a path naming a folder's contents — `specs/`, `.`, an empty root — lists several entries, or one inside it)
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t/.exec(listed[0]!);
      if (!m || listed.length > 1 || /(^|\/)\.?$/.test(path)) return { mode: "040000", type: "tree", oid: "" };
      const [, mode, type, oid] = m as unknown as [string, string, string, string];
      if (mode !== "120000") return { mode, type, oid };
      const target = this.blob(oid, where, 4096).toString("utf8");
      if (posix.isAbsolute(target)) throw new SpecParseError(`${where} is a symbolic link to ${target}, outside what git holds at ${this.ref}`);
      path = posix.normalize(posix.join(posix.dirname(path), target));
    }
    throw new SpecParseError(`${where}: too many levels of symbolic links`);
  }

  private blob(oid: string, where: string, maxBytes: number): Buffer {
    try {
      return git(this.root, ["cat-file", "blob", oid], maxBytes + 1);
    } catch (e) {
      throw new SpecParseError(`${where} cannot be read: ${gitSaid(e)}`);
    }
  }

  /** `path` as it was in the commit, for readSpec; undefined: not there (the file was added since). */
  source(path: string): SpecSource | undefined {
    const where = `${path} at ${this.ref}`;
    const e = this.entry(path, where);
    if (!e) return undefined;
    return {
      where,
      size: () => {
        if (e.type !== "blob") return "other";
        try {
          return Number(git(this.root, ["cat-file", "-s", e.oid]).toString("utf8").trim());
        } catch (err) {
          throw new SpecParseError(`${where} cannot be read: ${gitSaid(err)}`);
        }
      },
      read: () => this.blob(e.oid, where, MAX_SPEC_BYTES),
    };
  }
}

/** The APIs the ref's redocly.yaml names (none: no redocly.yaml there). */
function entriesAt(version: GitVersion): SpecEntry[] {
  const source = version.source("redocly.yaml");
  if (!source) return [];
  return specEntries(readSpec(source), source.where); // (a YAML error as redocly.yaml:<line>:<col> (at <ref>))
}

/** The spec changes between `base` and the working tree of the project at `root`. */
export async function specChanges(root: string, base = "HEAD", only?: string): Promise<SpecChange[]> {
  let commit: string;
  try {
    commit = git(root, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`]).toString("utf8").trim();
  } catch (e) {
    // --quiet: a ref that does not exist fails without a word; git missing, or no repository, says so.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new SpecUsage(`spec diff reads --base ${quotedValue(base)} with git, which is not installed here`);
    const said = String((e as { stderr?: unknown }).stderr ?? "").trim() && gitSaid(e);
    if (said) throw new SpecUsage(`cannot read git ref ${quotedValue(base)} in ${root}: ${said}`);
    throw new SpecUsage(`git ref ${quotedValue(base)} does not exist in ${root}`);
  }
  const then = new GitVersion(root, commit, base);
  const now = readSpecEntries(root);
  const before = entriesAt(then);
  const names = [...new Set([...now, ...before].map((e) => e.name))];
  if (only !== undefined && !names.includes(only)) {
    const near = closest(only, names);
    throw new SpecUsage(`unknown api ${quotedValue(only)}${near === undefined ? "" : `; did you mean ${near}?`}; known: ${names.join(", ")}`);
  }
  const out: SpecChange[] = [];
  for (const name of only ? [only] : names) {
    const e1 = before.find((e) => e.name === name);
    const e2 = now.find((e) => e.name === name);
    // (an API removed is one gone from redocly.yaml; one listed there must have its spec)
    if (e2 && !existsSync(join(root, e2.root))) throw new SpecParseError(`redocly.yaml api \`${name}\`: root ${e2.root} does not exist`);
    const after = e2 ? loadSpec(readSpecFile(join(root, e2.root), e2.root), e2.root, "fix the spec, then diff again") : undefined;
    // (a spec not at the ref, listed there or not, is an API added since)
    const source = e1 ? then.source(e1.root) : undefined;
    const old = source ? loadSpec(readSpec(source), source.where, `that version cannot be compared; diff against another ref (--base)`) : undefined;
    out.push(...(await diffSpec(name, old, after)));
  }
  // (a signing change names the code written by hand that implements it)
  return markHandWritten(out, (api) => handWrittenSigning(root, api));
}
