/**
 * `tradeapi spec ...`: the vendor-doc conformance check and the spec changelog.
 *
 *   tradeapi spec check-doc <api> <vendor-doc-file> [--json] [--record]
 *   tradeapi spec diff [api] [--base <git-ref>] [--json | --markdown] [--fail-on breaking]
 *
 * Exit codes: 0 agree / no breaking change asked about; 1 differences (check-doc) or breaking
 * changes with --fail-on breaking (diff); 2 usage errors (unknown api, unreadable doc, unknown
 * git ref, a spec that does not parse).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkDoc, type CheckDocResult } from "../spec-tools/check-doc.js";
import { DocFormatError } from "../spec-tools/doc-adapters.js";
import { findProjectRoot, readSpecEntries, type SpecEntry } from "../spec-tools/project.js";
import { recordDocSections } from "../spec-tools/record.js";
import { SpecUsage, specChanges } from "../spec-tools/git-changes.js";
import { formatMarkdown, formatText } from "../spec-tools/spec-diff.js";
import { invalidUtf8Place, readSpecFile, writeSpecFile } from "../spec-tools/spec-file.js";
import { parseSpecText, SpecParseError } from "../spec-tools/spec-model.js";
import { CliUsageError, didYouMean, parseFlags, quotedValue, shortened, type FlagSpec } from "./args.js";

export interface SpecIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** folder to look for the project (redocly.yaml) from; default process.cwd() */
  cwd?: string;
}

export const SPEC_USAGE = `usage:
  tradeapi spec check-doc <api> <vendor-doc-file> [--json] [--record]
  tradeapi spec diff [api] [--base <git-ref>] [--json | --markdown]
        [--fail-on breaking]`;

/** Each subcommand's own usage (`tradeapi spec <sub> --help`). */
const SUB_USAGE: Record<string, string> = {
  "check-doc": `usage: tradeapi spec check-doc <api> <vendor-doc-file> [--json] [--record]
  what differs between the vendor's document (markdown/text) and the API's spec:
  endpoints, parameters, and "review operation X" for doc sections that changed
  since the spec was written
flags:
  --json      the differences as JSON
  --record    after review: store the doc's section hashes in the spec
              (x-doc-section)
exit codes: 0 the spec matches the doc; 1 differences; 2 usage error`,
  diff: `usage: tradeapi spec diff [api] [--base <git-ref>] [--json | --markdown]
         [--fail-on breaking]
  every change of the specs between a git ref and the working tree, per
  operation: breaking / non-breaking / docs (docs/spec-diff-rules.md)
flags:
  --base <git-ref>       compare with this ref (default HEAD)
  --json | --markdown    the changes as JSON or as markdown
  --fail-on breaking     exit 1 when a change breaks TypeScript consumers
exit codes: 0 done; 1 breaking changes with --fail-on breaking; 2 usage error`,
};

/** The flags of each subcommand, checked as every command's are (an unknown one names the closest). */
const CHECK_DOC_FLAGS: readonly FlagSpec[] = [
  { name: "json", type: "boolean", description: "" },
  { name: "record", type: "boolean", description: "" },
];
const DIFF_FLAGS: readonly FlagSpec[] = [
  { name: "base", type: "string", description: "" },
  { name: "json", type: "boolean", description: "" },
  { name: "markdown", type: "boolean", description: "" },
  { name: "fail-on", type: "string", description: "" },
];

const SPEC_COMMANDS = [...Object.keys(SUB_USAGE), "help"];

const wantsHelp = (args: string[]) => args.some((a) => a === "--help" || a === "-h");


function entryFor(entries: SpecEntry[], api: string | undefined): SpecEntry {
  if (!api) throw new SpecUsage(`missing <api>; known: ${entries.map((x) => x.name).join(", ")}`);
  const e = entries.find((x) => x.name === api);
  if (!e) throw new SpecUsage(`unknown api ${quotedValue(api)}${didYouMean(api, entries.map((x) => x.name))}; known: ${entries.map((x) => x.name).join(", ")}`);
  return e;
}

/** Far above any vendor doc (the largest is ~140 kB), far below what would strain memory. */
const MAX_DOC_BYTES = 32 << 20;

function readDoc(file: string, cwd: string): string {
  const abs = resolve(cwd, file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new SpecUsage(`vendor doc ${shortened(file)} does not exist or is not a file`);
  if (statSync(abs).size > MAX_DOC_BYTES) throw new SpecUsage(`vendor doc ${shortened(file)} is larger than ${MAX_DOC_BYTES >> 20} MiB; give the API's markdown/text document`);
  const bytes = readFileSync(abs);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new SpecUsage(`vendor doc ${shortened(file)} is UTF-16 text; save it as UTF-8`);
  if (bytes.includes(0)) throw new SpecUsage(`vendor doc ${shortened(file)} is binary; give the markdown/text document`);
  // Any byte that is not UTF-8 is refused, as in a spec: turned into U+FFFD it would be hashed
  // into what --record writes, and the doc's next copy would differ from it for no reason.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const { line, col, byte } = invalidUtf8Place(bytes);
    throw new SpecUsage(`vendor doc ${shortened(file)} is not UTF-8 text (byte ${byte} at line ${line}, column ${col}); save it as UTF-8`);
  }
  if (!text.trim()) throw new SpecUsage(`vendor doc ${shortened(file)} is empty`);
  return text;
}

function checkDocCommand(args: string[], io: SpecIo, cwd: string): number {
  const { flags: values, positional: positionals } = parseFlags(args, CHECK_DOC_FLAGS);
  const [api, file] = positionals;
  if (positionals.length > 2) throw new SpecUsage(`check-doc takes one API and one vendor doc file, got more: ${positionals.slice(2).map((p) => quotedValue(p)).join(" ")}`);
  const root = findProjectRoot(cwd);
  const entry = entryFor(readSpecEntries(root), api);
  if (!file) throw new SpecUsage("missing <vendor-doc-file>");
  const docText = readDoc(file, cwd);
  const specPath = join(root, entry.root);
  const specText = readSpecFile(specPath, entry.root);
  const spec = parseSpecText(specText, entry.root);
  if (!spec["x-vendor-doc"]) throw new SpecUsage(`${entry.root} has no x-vendor-doc (how its vendor doc is read); see docs/doc-conformance.md`);
  if (values.record) {
    // The installed package's copy of the specs is not what it runs (dist/ is): recording into
    // it changes nothing and is lost on the next install.
    if (/(^|[\\/])node_modules[\\/]/.test(root)) {
      throw new SpecUsage(`--record edits a spec of a tradeapi clone (then \`npm run generate\`); ${root} is an installed package, whose specs nothing reads: run it in your clone`);
    }
    const r = recordDocSections(specText, spec, docText);
    // A document of another API (or not a vendor document) matches no operation: recording its
    // sections would replace the spec's with another document's.
    if (r.operations === 0) throw new SpecUsage(`${file} has the section of none of ${entry.name}'s operations (is it ${entry.name}'s vendor document?); nothing recorded`);
    writeSpecFile(root, specPath, entry.root, r.text.endsWith("\n") ? r.text : `${r.text}\n`);
    io.stdout(`${entry.root}: recorded the doc sections of ${r.operations} operations and ${r.sections} other sections; review \`git diff ${entry.root}\`\n`);
    return 0;
  }
  const result: CheckDocResult = checkDoc(entry.name, spec, docText);
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const d of result.differences) io.stdout(`${d.message}\n`);
    for (const d of result.acknowledged) io.stdout(`acknowledged: ${d.message}${d.reason ? ` (${d.reason.split("\n")[0]})` : ""}\n`);
    io.stdout(`${entry.name}: ${result.differences.length} difference${result.differences.length === 1 ? "" : "s"}, ${result.acknowledged.length} acknowledged\n`);
  }
  return result.differences.length ? 1 : 0;
}

async function diffCommand(args: string[], io: SpecIo, cwd: string): Promise<number> {
  const { flags: values, positional: positionals } = parseFlags(args, DIFF_FLAGS);
  if (values["fail-on"] !== undefined && values["fail-on"] !== "breaking") throw new SpecUsage(`--fail-on takes "breaking", got ${quotedValue(values["fail-on"])}`);
  if (values.json && values.markdown) throw new SpecUsage("--json and --markdown are two formats: give one");
  if (positionals.length > 1) throw new SpecUsage(`diff takes one API or none (all of them), got ${positionals.map((p) => quotedValue(p)).join(" ")}`);
  const root = findProjectRoot(cwd);
  if (/(^|[\\/])node_modules[\\/]/.test(root)) {
    throw new SpecUsage(`spec diff compares the specs of a git clone of tradeapi between commits; ${root} is an installed package: run it in your clone`);
  }
  const changes = await specChanges(root, values.base ?? "HEAD", positionals[0]);
  if (values.json) io.stdout(`${JSON.stringify(changes.map(({ rule: _r, ...c }) => c), null, 2)}\n`);
  else if (values.markdown) io.stdout(formatMarkdown(changes));
  else io.stdout(formatText(changes));
  return values["fail-on"] === "breaking" && changes.some((c) => c.kind === "breaking") ? 1 : 0;
}

/** `tradeapi spec <sub> ...` → exit code. */
export async function runSpecCommand(argv: string[], io: SpecIo): Promise<number> {
  const [sub, ...rest] = argv;
  const cwd = io.cwd ?? process.cwd();
  try {
    if (sub !== undefined && SUB_USAGE[sub] && wantsHelp(rest)) {
      io.stdout(`${SUB_USAGE[sub]}\n`);
      return 0;
    }
    if (sub === "check-doc") return checkDocCommand(rest, io, cwd);
    if (sub === "diff") return await diffCommand(rest, io, cwd);
    if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
      (sub ? io.stdout : io.stderr)(`${SPEC_USAGE}\n`);
      return sub ? 0 : 2;
    }
    throw new SpecUsage(`unknown spec command ${quotedValue(sub)}${didYouMean(sub, SPEC_COMMANDS)}; one of: ${SPEC_COMMANDS.join(", ")}`);
  } catch (e) {
    // Everything that stops these commands is a problem with what they were given (arguments,
    // doc file, git ref, spec text): exit 2 with the message, never a stack trace.
    const argsError = e instanceof SpecUsage || e instanceof CliUsageError;
    const kind = e instanceof SpecParseError || e instanceof DocFormatError || argsError ? "" : "error: ";
    io.stderr(`tradeapi spec: ${kind}${e instanceof Error ? e.message : String(e)}\n${argsError ? `${SPEC_USAGE}\n` : ""}`);
    return 2;
  }
}
