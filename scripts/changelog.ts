/**
 * `npm run changelog -- --base <git-ref>`: write the spec changes since <ref> into CHANGELOG.md
 * as the section of package.json's version (one `### <api>` per changed API). When the changes
 * need a higher version than package.json has (breaking → minor while 0.x), the section gets
 * that version and this script says to bump package.json (the test suite fails until then).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readApis, ROOT } from "./api-registry.js";
import { versionProblems, writeChangelogSection } from "../src/spec-tools/changelog.js";
import { specChanges } from "../src/spec-tools/git-changes.js";
import { formatMarkdown } from "../src/spec-tools/spec-diff.js";

const USAGE = "usage: npm run changelog -- --base <git-ref>   (the ref of the last release)\n";
let values: { base?: string };
try {
  ({ values } = parseArgs({ options: { base: { type: "string" } }, strict: true }));
} catch (e) {
  // a misspelt flag, a stray argument, --base without a value: say which, exit 2 (not a stack trace, exit 1)
  process.stderr.write(`changelog: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!values.base) {
  process.stderr.write(USAGE);
  process.exit(2);
}
try {
  const changes = await specChanges(ROOT, values.base);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const file = join(ROOT, "CHANGELOG.md");
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (!changes.length) {
    process.stdout.write(`no spec changes since ${values.base}; CHANGELOG.md unchanged\n`);
    process.exit(0);
  }
  let released: string | undefined;
  try {
    // no API at the base ref: this is the first release, whatever package.json said then
    execFileSync("git", ["-C", ROOT, "cat-file", "-e", `${values.base}:redocly.yaml`], { stdio: "ignore" });
    released = (JSON.parse(execFileSync("git", ["-C", ROOT, "show", `${values.base}:package.json`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { version?: string }).version;
  } catch {
    released = undefined; // no package.json or no API at the base ref: the first release
  }
  const apis = readApis(ROOT).map((a) => a.name);
  const { text, version, dropped } = writeChangelogSection(before, released, pkg.version, formatMarkdown(changes, { docs: "summary" }), changes.some((c) => c.kind === "breaking"), apis);
  writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
  process.stdout.write(`CHANGELOG.md: section ${version} (${changes.length} changes since ${values.base})\n`);
  if (dropped.length) {
    // (the text a maintainer wrote among the blocks is kept; a list item inside a block cannot be told from the generator's)
    process.stdout.write(`CHANGELOG.md: ${dropped.length} list item${dropped.length === 1 ? "" : "s"} of the old ### <api> blocks ${dropped.length === 1 ? "is" : "are"} not in the spec diff now and ${dropped.length === 1 ? "was" : "were"} left out (a change undone since, or an item written into a block by hand: write notes outside the blocks):\n${dropped.map((l) => `  ${l}\n`).join("")}`);
  }
  for (const p of versionProblems(text, pkg.version)) process.stdout.write(`${p}\n`);
} catch (e) {
  process.stderr.write(`changelog: ${(e as Error).message}\n`);
  process.exit(2);
}
