/**
 * CHANGELOG.md: `# Changelog`, then one `## <version>` section per version (newest first), each
 * with one `### <api>` section per changed API (written from `spec diff --markdown`). The
 * version rule (docs/spec-diff-rules.md): while 0.x, a breaking change bumps the minor, anything
 * else the patch; from 1.0, breaking bumps the major, anything else the minor.
 */
export interface ChangelogSection {
  version: string;
  body: string;
  breaking: boolean;
}

const VERSION = /^## (\d+\.\d+\.\d+)\s*$/;

export function parseChangelog(text: string): ChangelogSection[] {
  const out: ChangelogSection[] = [];
  let cur: ChangelogSection | undefined;
  for (const line of text.split("\n")) {
    const m = VERSION.exec(line);
    if (m) {
      cur = { version: m[1]!, body: "", breaking: false };
      out.push(cur);
    } else if (cur) {
      cur.body += `${line}\n`;
      if (/^\*\*Breaking\*\*\s*$/.test(line)) cur.breaking = true;
    }
  }
  return out;
}

const parts = (v: string) => v.split(".").map(Number) as [number, number, number];

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** The smallest version allowed after `previous` for a release with (or without) breaking changes. */
export function nextVersion(previous: string, breaking: boolean): string {
  const [major, minor, patch] = parts(previous);
  if (major === 0) return breaking ? `0.${minor + 1}.0` : `0.${minor}.${patch + 1}`;
  return breaking ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
}

/** What is wrong between the changelog and package.json's version (empty: nothing). */
export function versionProblems(changelog: string, packageVersion: string): string[] {
  const sections = parseChangelog(changelog);
  const problems: string[] = [];
  if (!sections.length) return [`CHANGELOG.md has no "## <version>" section`];
  for (let i = 0; i + 1 < sections.length; i++) {
    const [newer, older] = [sections[i]!, sections[i + 1]!];
    const needed = nextVersion(older.version, newer.breaking);
    if (compareVersions(newer.version, needed) < 0) {
      problems.push(`CHANGELOG.md: ${newer.version} follows ${older.version} with ${newer.breaking ? "breaking" : "only non-breaking"} changes; it must be at least ${needed}`);
    }
  }
  const top = sections[0]!.version;
  if (compareVersions(packageVersion, top) < 0) problems.push(`package.json's version ${packageVersion} is behind CHANGELOG.md's ${top}: bump it (npm version ${top} --no-git-tag-version)`);
  return problems;
}

/** A line of a `### <api>` block as `spec diff --markdown` writes it: blank, a kind label, a list item. */
const GENERATED_LINE = /^(?:\s*|\*\*(?:Breaking|Non-breaking|Docs)\*\*\s*|- .*)$/;

/**
 * The part of a version's section from its first `### ` heading on, split into what the
 * generator wrote (the `### <api>` blocks: headings of `apis`, then only blank lines, kind labels
 * and list items) and what a maintainer wrote among them: each hand-written run of lines (from
 * the first other line in or after a block, or from a heading that is no API's, up to the next
 * API's heading) is kept with the block it follows (`after`: undefined before any block).
 */
function splitApiPart(lines: string[], apis: ReadonlySet<string>): { notes: Array<{ after: string | undefined; lines: string[] }>; generated: string[] } {
  const notes: Array<{ after: string | undefined; lines: string[] }> = [];
  const generated: string[] = [];
  let block: string | undefined;
  let note: { after: string | undefined; lines: string[] } | undefined;
  for (const line of lines) {
    const heading = /^### (.+?)\s*$/.exec(line)?.[1];
    if (heading !== undefined && apis.has(heading)) {
      [block, note] = [heading, undefined];
      continue;
    }
    if (!note && (heading !== undefined || block === undefined || !GENERATED_LINE.test(line))) notes.push((note = { after: block, lines: [] }));
    if (note) note.lines.push(line);
    else if (line.startsWith("- ")) generated.push(line);
  }
  return { notes: notes.map((n) => ({ ...n, lines: trimBlank(n.lines) })).filter((n) => n.lines.length), generated };
}

const trimBlank = (lines: string[]): string[] => {
  let [from, to] = [0, lines.length];
  while (from < to && !lines[from]!.trim()) from++;
  while (to > from && !lines[to - 1]!.trim()) to--;
  return lines.slice(from, to);
};

/**
 * The spec part of a release's section written anew (`specPart`: the `### <api>` blocks, or "No
 * spec changes."), with the hand-written text found among the old blocks (`old`) kept: before
 * the blocks when it was, after the block it followed when that block is still there, else after
 * the last. `dropped`: the old blocks' list items the new ones do not have.
 */
function mergeApiPart(old: string[], specPart: string, apis: ReadonlyArray<string>): { text: string; dropped: string[] } {
  const blocks = specPart.split(/\n(?=### )/).map((b) => b.trim());
  const names = blocks.map((b) => /^### (.+?)\s*$/m.exec(b.split("\n")[0]!)?.[1]);
  const { notes, generated } = splitApiPart(old, new Set([...apis, ...names.filter((n): n is string => n !== undefined)]));
  const kept = (after: string | undefined) => notes.filter((n) => n.after === after).map((n) => n.lines.join("\n"));
  const placed = new Set([undefined, ...names]);
  const parts = [...kept(undefined), ...blocks.flatMap((b, i) => [b, ...(names[i] === undefined ? [] : kept(names[i]))]), ...notes.filter((n) => !placed.has(n.after)).map((n) => n.lines.join("\n"))];
  const now = new Set(specPart.split("\n"));
  return { text: parts.join("\n\n"), dropped: generated.filter((l) => !now.has(l)) };
}

/**
 * Add (or replace) the section for the changes since the last release. `released` is the
 * version at the base ref (package.json there); `current` is package.json's version now. The
 * section gets `current`, or the version the rule requires when `current` is too low (then
 * package.json must be bumped: versionProblems says so). A section above `released` at the top
 * is this release's: run again, it is rewritten under the version it needs now, its `### <api>`
 * blocks written anew and everything a maintainer wrote kept: the notes above them, and any
 * other text among or below them (a paragraph after a block, a `### ` heading that is no API's)
 * in its place. `apis`: the API names whose `### ` blocks are the generator's (besides those
 * of `markdown`); `dropped`: the old blocks' list items the new ones do not have (changes
 * undone since, or an item added to a block by hand), for the caller to name.
 */
export function writeChangelogSection(
  changelog: string,
  released: string | undefined,
  current: string,
  markdown: string,
  breaking: boolean,
  apis: ReadonlyArray<string> = [],
): { text: string; version: string; dropped: string[] } {
  const text = changelog.trim() ? changelog : "# Changelog\n\nChanges to the specs (and so to the generated clients) per version, per API; written by `npm run changelog -- --base <ref>`. Version rule: docs/spec-diff-rules.md.\n";
  let target = current;
  if (released !== undefined) {
    const needed = nextVersion(released, breaking);
    if (compareVersions(target, needed) < 0) target = needed;
  }
  const specPart = markdown.trim() ? markdown.trim() : "No spec changes.";
  const lines = text.replace(/\n*$/, "\n").split("\n");
  // The section of this release: the newest one above the released version (a run after more
  // spec changes, or after one was undone, may change the version it needs: it is renamed, not
  // stacked on), else the one of the target version.
  const first = lines.findIndex((l) => VERSION.test(l));
  const newest = first >= 0 ? VERSION.exec(lines[first]!)![1]! : undefined;
  const unreleased = released !== undefined && newest !== undefined && compareVersions(newest, released) > 0;
  const at = unreleased ? first : lines.findIndex((l) => l.trim() === `## ${target}`);
  if (at >= 0) {
    let end = at + 1;
    while (end < lines.length && !VERSION.test(lines[end]!)) end++;
    // What a maintainer wrote above the per-API part (library and CLI notes) is kept; the
    // `### <api>` blocks (or "No spec changes.") are written anew, the text among them kept.
    let api = at + 1;
    while (api < end && !/^### /.test(lines[api]!)) api++;
    const notes = lines.slice(at + 1, api).join("\n").replace(/^\s*No spec changes\.\s*$/m, "").trim();
    const merged = mergeApiPart(lines.slice(api, end), specPart, apis);
    const body = `## ${target}\n\n${notes ? `${notes}\n\n` : ""}${merged.text}\n`;
    lines.splice(at, end - at, ...`${body}\n`.split("\n").slice(0, end < lines.length ? -1 : -2));
    return { text: lines.join("\n"), version: target, dropped: merged.dropped };
  }
  const body = `## ${target}\n\n${specPart}\n`;
  if (first < 0) return { text: `${text.replace(/\n*$/, "\n\n")}${body}`, version: target, dropped: [] };
  lines.splice(first, 0, ...`${body}\n`.split("\n").slice(0, -1));
  return { text: lines.join("\n"), version: target, dropped: [] };
}
