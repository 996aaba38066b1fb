/**
 * `npm run changelog` run again rewrites this release's `### <api>` blocks; what a maintainer
 * wrote among or below them (a paragraph after a block, a heading of its own) is kept in its
 * place, and the list items of the old blocks it leaves out are returned to be named.
 */
import { describe, expect, it } from "vitest";
import { parseChangelog, writeChangelogSection } from "../../src/spec-tools/changelog.js";

const XT = "### xt\n\n**Breaking**\n\n- `withdraw`: operation removed\n";
const XELE = "### xele\n\n**Non-breaking**\n\n- `getPositions`: pipe rows column \"FrozenMargin\" added at position 4\n";
const APIS = ["xt", "hubi", "quant-ws", "bhex", "xele"];
const BASE = "# Changelog\n\n## 0.1.0\n\n### xt\n\n**Non-breaking**\n\n- API added\n";

describe("changelog rerun keeps hand-written text", () => {
  const first = writeChangelogSection(BASE, "0.1.0", "0.2.0", `${XT}\n${XELE}`, true, APIS).text;

  it("a line written after the `### xele` block survives a second run, in its place", () => {
    const edited = first.replace(XELE, `${XELE}\nThe counter sends FrozenMargin from 007P9 on: see the vendor's documents, section 6.\n`);
    expect(edited).not.toBe(first);
    const again = writeChangelogSection(edited, "0.1.0", "0.2.0", `${XT}\n${XELE}`, true, APIS);
    expect(again.text).toBe(edited);
    expect(again.dropped).toEqual([]);
    // (the spec diff changed meanwhile: the blocks are new, the note still follows xele's)
    const changed = writeChangelogSection(edited, "0.1.0", "0.2.0", `${XT.replace("withdraw", "getTicker")}\n${XELE}`, true, APIS);
    expect(changed.text).toContain(`${XELE}\nThe counter sends FrozenMargin from 007P9 on`);
    expect(changed.text).toContain("`getTicker`: operation removed");
    expect(changed.text).not.toContain("`withdraw`");
    expect(changed.dropped).toEqual(["- `withdraw`: operation removed"]);
  });

  it("a note after a block that is gone now, and a heading of the maintainer's own, are kept (after the blocks; in place)", () => {
    const edited = first.replace(XELE, `${XELE}\nXele note.\n\n### Library\n\n- \`call()\` takes a signal\n`).replace(`${XT}\n`, `${XT}\nXT note.\n\n`);
    const only = writeChangelogSection(edited, "0.1.0", "0.2.0", XT, true, APIS);
    const section = parseChangelog(only.text)[0]!;
    expect(section.version).toBe("0.2.0");
    expect(section.body.trim()).toBe(`${XT}\nXT note.\n\nXele note.\n\n### Library\n\n- \`call()\` takes a signal`);
    expect(only.dropped).toEqual(['- `getPositions`: pipe rows column "FrozenMargin" added at position 4']);
    expect(parseChangelog(only.text).map((s) => s.version)).toEqual(["0.2.0", "0.1.0"]);
  });

  it("a list item written into a generated block cannot be told from the generator's: it is named as dropped", () => {
    const edited = first.replace("- `withdraw`: operation removed\n", "- `withdraw`: operation removed\n- (hand) use transfer instead\n");
    const again = writeChangelogSection(edited, "0.1.0", "0.2.0", `${XT}\n${XELE}`, true, APIS);
    expect(again.text).toBe(first);
    expect(again.dropped).toEqual(["- (hand) use transfer instead"]);
  });
});
