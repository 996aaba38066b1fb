/**
 * `tradeapi spec check-doc <api> <doc> --record`: after a maintainer has reviewed the doc's
 * changes and edited the spec, write the doc sections' current hashes back into the spec
 * (`x-doc-section` of each operation, `x-vendor-doc.sections` for the sections no operation
 * claims). Only those lines are touched: the rest of the spec file is left byte for byte.
 */
import { parseVendorDoc, type VendorDocConfig } from "./doc-adapters.js";
import { currentSections } from "./check-doc.js";
import type { Node } from "./spec-model.js";

const q = (s: string) => JSON.stringify(s);

export function recordDocSections(specText: string, spec: Node, docText: string): { text: string; operations: number; sections: number } {
  const cfg = spec["x-vendor-doc"] as VendorDocConfig;
  const records = currentSections(spec, docText);
  const lines = specText.split("\n");
  const isAsync = typeof spec.asyncapi === "string";
  let operations = 0;
  for (const [id, rec] of records) {
    const value = `{ heading: ${q(rec.heading)}, sha256: ${rec.sha256} }`;
    let at = -1;
    let indent = "";
    if (isAsync) {
      const opsAt = lines.findIndex((l) => /^operations:\s*$/.test(l));
      at = lines.findIndex((l, i) => i > opsAt && l === `  ${id}:`);
      indent = "    ";
    } else {
      at = lines.findIndex((l) => new RegExp(`^\\s+operationId:\\s*['"]?${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]?\\s*$`).test(l));
      indent = at >= 0 ? /^(\s*)/.exec(lines[at]!)![1]! : "";
    }
    if (at < 0) continue;
    // an existing record sits among the operation's keys right below
    let existing = -1;
    for (let i = at + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.trim() === "") continue;
      const ind = /^(\s*)/.exec(l)![1]!.length;
      if (ind < indent.length) break;
      if (ind === indent.length && l.trimStart().startsWith("x-doc-section:")) {
        existing = i;
        break;
      }
    }
    const line = `${indent}x-doc-section: ${value}`;
    if (existing >= 0) lines[existing] = line;
    else lines.splice(at + 1, 0, line);
    operations++;
  }
  // the root x-vendor-doc block: configuration kept, `sections` rewritten
  const doc = parseVendorDoc(docText, cfg);
  const claimedHeadings = new Set([...records.values()].map((r) => `${r.heading}\u0000${r.sha256}`));
  const covers = new Map((cfg.sections ?? []).map((s) => [s.heading, s.covers]));
  const unclaimed = doc.sections.filter((s) => !s.key && !claimedHeadings.has(`${s.heading}\u0000${s.sha256}`));
  const start = lines.findIndex((l) => /^x-vendor-doc:\s*$/.test(l));
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && (lines[end]!.startsWith(" ") || lines[end]!.trim() === "" || lines[end]!.startsWith("#"))) end++;
    const block = lines.slice(start, end);
    const secAt = block.findIndex((l) => /^  sections:/.test(l));
    const keep = secAt >= 0 ? block.slice(0, secAt) : block.filter((l, i) => i === 0 || l.trim() !== "");
    while (keep.length && keep[keep.length - 1]!.trim() === "") keep.pop();
    const out = [...keep, "  sections:"];
    for (const s of unclaimed) out.push(`    - { heading: ${q(s.heading)}, sha256: ${s.sha256}, covers: ${q(covers.get(s.heading) ?? "TODO: what in the spec covers this section")} }`);
    lines.splice(start, end - start, ...out, ...(end < lines.length ? [""] : []));
  }
  return { text: lines.join("\n"), operations, sections: unclaimed.length };
}
