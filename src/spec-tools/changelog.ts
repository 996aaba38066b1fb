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

/**
 * Add (or replace) the section for the changes since the last release. `released` is the
 * version at the base ref (package.json there); `current` is package.json's version now. The
 * section gets `current`, or the version the rule requires when `current` is too low (then
 * package.json must be bumped: versionProblems says so). A section above `released` at the top
 * is this release's: run again, it is rewritten (its notes kept) under the version it needs now.
 */
export function writeChangelogSection(changelog: string, released: string | undefined, current: string, markdown: string, breaking: boolean): { text: string; version: string } {
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
    // What a maintainer wrote above the per-API part (library and CLI notes) is kept; only the
    // spec changes (the `### <api>` subsections, or "No spec changes.") are written anew.
    let api = at + 1;
    while (api < end && !/^### /.test(lines[api]!)) api++;
    const notes = lines.slice(at + 1, api).join("\n").replace(/^\s*No spec changes\.\s*$/m, "").trim();
    const body = `## ${target}\n\n${notes ? `${notes}\n\n` : ""}${specPart}\n`;
    lines.splice(at, end - at, ...`${body}\n`.split("\n").slice(0, end < lines.length ? -1 : -2));
    return { text: lines.join("\n"), version: target };
  }
  const body = `## ${target}\n\n${specPart}\n`;
  if (first < 0) return { text: `${text.replace(/\n*$/, "\n\n")}${body}`, version: target };
  lines.splice(first, 0, ...`${body}\n`.split("\n").slice(0, -1));
  return { text: lines.join("\n"), version: target };
}
