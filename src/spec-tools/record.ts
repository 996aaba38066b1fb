/**
 * `tradeapi spec check-doc <api> <doc> --record`: after a maintainer has reviewed the doc's
 * changes and edited the spec, write the doc sections' current hashes back into the spec
 * (`x-doc-section` of each operation, `x-vendor-doc.sections` for the sections no operation
 * claims). Only those lines are touched: the rest of the spec file is left byte for byte (its
 * line ends too: a line written anew ends as the line it replaces or follows does).
 */
import { parseVendorDoc, type VendorDocConfig } from "./doc-adapters.js";
import { currentSections } from "./check-doc.js";
import type { Node } from "./spec-model.js";
import { parse as parseYaml } from "yaml";

/**
 * A heading as a YAML double-quoted string: JSON's escapes (YAML reads them the same), and
 * `\uXXXX` for what JSON leaves as it is but a terminal acts on or an editor hides, so that
 * `git diff` of the spec shows a hostile heading as text: DEL and the C1 controls (U+009B
 * starts an escape sequence), line and paragraph separators, bidirectional overrides and marks
 * (a reviewed line shown reordered), a byte order mark, the two non-characters.
 */
const HIDDEN = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufffe\uffff]/g;
const q = (s: string) => JSON.stringify(s).replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const indentOf = (l: string) => /^[ \t]*/.exec(l)![0].length;
const isBlank = (l: string) => l.trim() === "";
const isComment = (l: string) => l.trimStart().startsWith("#");
/** "\r" when the line ends a CRLF line (the spec was checked out with Windows line ends). */
const crOf = (l: string | undefined) => (l?.endsWith("\r") ? "\r" : "");

/**
 * The comments of an old `sections:` list (its lines after the key): those above an item (and
 * inside it) by the item's heading, in order, to go above it again when it is written anew;
 * those below the last item. A maintainer's note on a section stays with it; one on a section
 * gone from the doc goes with it.
 */
function listComments(list: string[]): { before: Map<string, string[][]>; after: string[] } {
  const before = new Map<string, string[][]>();
  let pending: string[] = [];
  let item: { lines: string[]; comments: string[] } | undefined;
  const flush = () => {
    if (!item?.comments.length) return;
    let heading: unknown;
    try {
      heading = (parseYaml(item.lines.map((l) => l.replace(/\r$/, "")).join("\n")) as [{ heading?: unknown }] | null)?.[0]?.heading;
    } catch {
      heading = undefined;
    }
    if (typeof heading === "string") before.set(heading, [...(before.get(heading) ?? []), item.comments]);
  };
  const first = list.find((l) => !isBlank(l) && !isComment(l));
  const at = first === undefined ? 0 : indentOf(first);
  for (const l of list) {
    if (isComment(l)) pending.push(l);
    else if (isBlank(l)) continue;
    else if (indentOf(l) === at && /^\s*-(\s|$)/.test(l)) {
      flush();
      item = { lines: [l], comments: pending };
      pending = [];
    } else if (item) {
      item.lines.push(l);
      item.comments.push(...pending);
      pending = [];
    }
  }
  flush();
  return { before, after: pending };
}

export function recordDocSections(specText: string, spec: Node, docText: string): { text: string; operations: number; sections: number } {
  const cfg = spec["x-vendor-doc"] as VendorDocConfig;
  const records = currentSections(spec, docText);
  const lines = specText.split("\n");
  const isAsync = typeof spec.asyncapi === "string";
  const opsAt = isAsync ? lines.findIndex((l) => /^operations:\s*(#.*)?$/.test(l)) : -1;
  let operations = 0;
  for (const [id, rec] of records) {
    const value = `{ heading: ${q(rec.heading)}, sha256: ${rec.sha256} }`;
    let at = -1;
    let indent = "";
    if (isAsync) {
      const key = new RegExp(`^  ${escapeRegex(id)}:\\s*(#.*)?$`);
      at = opsAt < 0 ? -1 : lines.findIndex((l, i) => i > opsAt && key.test(l));
      indent = "    ";
    } else {
      const key = new RegExp(`^(\\s+)operationId:\\s*(['"]?)${escapeRegex(id)}\\2\\s*(#.*)?$`);
      at = lines.findIndex((l) => key.test(l));
      indent = at >= 0 ? /^(\s*)/.exec(lines[at]!)![1]! : "";
    }
    if (at < 0) continue;
    // an existing record sits among the operation's keys right below
    let existing = -1;
    for (let i = at + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (isBlank(l) || isComment(l)) continue;
      const ind = indentOf(l);
      if (ind < indent.length) break;
      if (ind === indent.length && l.trimStart().startsWith("x-doc-section:")) {
        existing = i;
        break;
      }
    }
    if (existing >= 0) {
      lines[existing] = `${indent}x-doc-section: ${value}${crOf(lines[existing])}`;
      // a record written over several lines (block style, or a flow mapping that wraps): its
      // other lines go with it (comments among them stay)
      const rest: number[] = [];
      for (let i = existing + 1; i < lines.length; i++) {
        const l = lines[i]!;
        if (isBlank(l) || isComment(l)) continue;
        if (indentOf(l) <= indent.length) break;
        rest.push(i);
      }
      for (const i of rest.reverse()) lines.splice(i, 1);
    } else lines.splice(at + 1, 0, `${indent}x-doc-section: ${value}${crOf(lines[at])}`);
    operations++;
  }
  // the root x-vendor-doc block: configuration kept, `sections` rewritten
  const doc = parseVendorDoc(docText, cfg);
  const claimedHeadings = new Set([...records.values()].map((r) => `${r.heading}\u0000${r.sha256}`));
  const covers = new Map((cfg.sections ?? []).map((s) => [s.heading, s.covers]));
  const unclaimed = doc.sections.filter((s) => !s.key && !claimedHeadings.has(`${s.heading}\u0000${s.sha256}`));
  const start = lines.findIndex((l) => /^x-vendor-doc:\s*(#.*)?$/.test(l));
  if (start >= 0) {
    const cr = crOf(lines[start]);
    // The block ends at the next line at column 0 that is neither blank nor a comment; the
    // blank lines and comments right before that line belong to what follows.
    let end = start + 1;
    while (end < lines.length && (isBlank(lines[end]!) || /^[ \t#]/.test(lines[end]!))) end++;
    while (end > start + 1 && (isBlank(lines[end - 1]!) || isComment(lines[end - 1]!))) end--;
    const keyLine = lines.slice(start + 1, end).find((l) => !isBlank(l) && !isComment(l));
    const ind = " ".repeat(keyLine ? indentOf(keyLine) : 2);
    const secAt = lines.findIndex((l, i) => i > start && i < end && l.startsWith(`${ind}sections:`) && indentOf(l) === ind.length);
    // the old list: up to the block's next key (the keys after it are kept), or the block's end
    let secEnd = secAt + 1;
    if (secAt >= 0) {
      while (secEnd < end && (isBlank(lines[secEnd]!) || isComment(lines[secEnd]!) || indentOf(lines[secEnd]!) > ind.length || lines[secEnd]!.startsWith(`${ind}- `) || lines[secEnd]!.trimEnd() === `${ind}-`)) secEnd++;
      while (secEnd > secAt + 1 && (isBlank(lines[secEnd - 1]!) || isComment(lines[secEnd - 1]!))) secEnd--;
    }
    const old = secAt < 0 ? { before: new Map<string, string[][]>(), after: [] } : listComments(lines.slice(secAt + 1, secEnd));
    const written = [`${ind}sections:${cr}`];
    for (const s of unclaimed) {
      written.push(...(old.before.get(s.heading)?.shift() ?? []));
      written.push(`${ind}  - { heading: ${q(s.heading)}, sha256: ${s.sha256}, covers: ${q(covers.get(s.heading) ?? "TODO: what in the spec covers this section")} }${cr}`);
    }
    written.push(...old.after);
    if (secAt < 0) lines.splice(end, 0, ...written);
    else lines.splice(secAt, secEnd - secAt, ...written);
  }
  return { text: lines.join("\n"), operations, sections: unclaimed.length };
}
