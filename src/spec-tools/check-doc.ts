/**
 * `tradeapi spec check-doc`: compare a vendor document with the spec written from it.
 * Rules and the deviation records are described in docs/doc-conformance.md.
 */
import { parseVendorDoc, type DocParam, type DocSection, type VendorDocConfig } from "./doc-adapters.js";
import { specOperations, specStateCodes, type Node, type SpecField, type SpecOperation } from "./spec-model.js";

export type DocDifferenceKind =
  | "endpoint-not-in-spec"
  | "endpoint-repeated"
  | "operation-not-in-doc"
  | "parameter-not-in-spec"
  | "parameter-not-in-doc"
  | "required-differs"
  | "type-differs"
  | "section-changed"
  | "section-unrecorded"
  | "section-unclaimed"
  | "section-gone"
  | "state-code"
  | "deviation-stale";

export interface DocDifference {
  kind: DocDifferenceKind;
  operation?: string;
  endpoint?: string;
  parameter?: string;
  message: string;
  /** true when the spec records this difference as deliberate (x-doc-deviation) */
  acknowledged?: boolean;
  reason?: string;
}

export interface CheckDocResult {
  api: string;
  differences: DocDifference[];
  acknowledged: DocDifference[];
}

/** The doc's type word → a JSON Schema type class (undefined: the doc's word says nothing comparable). */
export function docTypeClass(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const w = word.trim().toLowerCase();
  if (/^(list|array)|\[\]$/.test(w)) return "array";
  if (/^(string|str|date|datetime|char)/.test(w)) return "string";
  if (/^(int|integer|long|short|int32|int64)$/.test(w)) return "integer";
  if (/^(number|double|float|decimal|bigdecimal)$/.test(w)) return "number";
  if (/^(boolean|bool)$/.test(w)) return "boolean";
  if (/^(object|json|map)/.test(w)) return "object";
  return undefined;
}

function typesAgree(doc: string, spec: string | undefined): boolean {
  if (!spec) return true;
  if (doc === spec) return true;
  return doc === "number" && spec === "integer"; // an integer is a number
}

const reasonOf = (dev: Node | undefined) => (typeof dev?.reason === "string" ? dev.reason : undefined);

function compareParams(op: SpecOperation, section: DocSection, cfg: VendorDocConfig, out: DocDifference[]): void {
  const docParams = (section.params ?? []).filter((p) => !(cfg.ignoreParams ?? []).includes(p.name));
  const where = `operation ${op.id} (${op.key})`;
  const base = { operation: op.id, endpoint: op.key };
  if (cfg.params === "names") {
    for (const p of docParams) {
      if (op.allNames.has(p.name)) continue;
      const dev = op.deviations.find((d) => d.param === p.name);
      out.push({ ...base, kind: "parameter-not-in-spec", parameter: p.name, message: `${where}: parameter ${p.name} is documented but not in the spec`, acknowledged: !!dev, reason: reasonOf(dev) });
    }
    // The reverse, where the section has a field table: each request data field must be in it
    // or named in the section's text (e.g. "字段allow_investor的详细说明参考…").
    if (!docParams.length || !op.dataFields) return;
    const listed = new Set(docParams.map((p) => p.name));
    for (const f of op.dataFields) {
      if (listed.has(f.name) || (cfg.ignoreParams ?? []).includes(f.name) || new RegExp(`(?<![A-Za-z0-9_])${f.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_])`).test(section.text)) continue;
      const ack = f.deviation?.documented === false;
      out.push({ ...base, kind: "parameter-not-in-doc", parameter: f.name, message: `${where}: parameter ${f.name} is in the spec but not documented`, acknowledged: ack, reason: ack ? reasonOf(f.deviation) : undefined });
    }
    return;
  }
  const specByName = new Map<string, SpecField>(op.fields.map((f) => [f.name, f]));
  const docByName = new Map<string, DocParam>(docParams.map((p) => [p.name, p]));
  for (const p of docParams) {
    const f = specByName.get(p.name);
    if (!f) {
      const dev = op.deviations.find((d) => d.param === p.name);
      out.push({ ...base, kind: "parameter-not-in-spec", parameter: p.name, message: `${where}: parameter ${p.name} is documented but not in the spec`, acknowledged: !!dev, reason: reasonOf(dev) });
      continue;
    }
    const stale = (what: string) => out.push({ ...base, kind: "deviation-stale", parameter: p.name, message: `${where}: parameter ${p.name} has an x-doc-deviation (${what}) but the doc now agrees with the spec: remove the record` });
    if (f.deviation?.required !== undefined && p.required !== undefined && p.required === f.required) stale("required");
    if (typeof f.deviation?.type === "string" && docTypeClass(p.type) && typesAgree(docTypeClass(p.type)!, f.type)) stale("type");
    if (f.deviation?.documented === false) stale("documented: false");
    if (p.required !== undefined && p.required !== f.required) {
      const ack = f.deviation?.required === p.required;
      out.push({ ...base, kind: "required-differs", parameter: p.name, message: `${where}: parameter ${p.name} is ${p.required ? "required" : "optional"} in the doc, ${f.required ? "required" : "optional"} in the spec`, acknowledged: ack, reason: ack ? reasonOf(f.deviation) : undefined });
    }
    const docClass = docTypeClass(p.type);
    if (docClass && !typesAgree(docClass, f.type)) {
      const ack = f.docType?.toLowerCase() === p.type!.toLowerCase() || (typeof f.deviation?.type === "string" && f.deviation.type.toLowerCase() === p.type!.toLowerCase());
      out.push({ ...base, kind: "type-differs", parameter: p.name, message: `${where}: parameter ${p.name} is ${p.type} in the doc, ${f.type} in the spec`, acknowledged: ack, reason: ack ? (reasonOf(f.deviation) ?? "x-vendor-doc-type records the doc's type") : undefined });
    }
  }
  for (const f of op.fields) {
    if (docByName.has(f.name) || (cfg.ignoreParams ?? []).includes(f.name)) continue;
    const ack = f.deviation?.documented === false;
    out.push({ ...base, kind: "parameter-not-in-doc", parameter: f.name, message: `${where}: parameter ${f.name} is in the spec but not documented`, acknowledged: ack, reason: ack ? reasonOf(f.deviation) : undefined });
  }
}

/** Compare a parsed vendor doc with a spec document. */
export function checkDoc(api: string, spec: Node, docText: string): CheckDocResult {
  const cfg = spec["x-vendor-doc"] as VendorDocConfig | undefined;
  if (!cfg || typeof cfg !== "object" || typeof cfg.format !== "string") throw new Error(`the ${api} spec has no x-vendor-doc (format of its vendor doc)`);
  const doc = parseVendorDoc(docText, cfg);
  const ops = specOperations(spec).filter((o) => o.key || o.docSection);
  const out: DocDifference[] = [];
  const claimed = new Set<DocSection>();
  const byKey = new Map<string, DocSection[]>();
  // (pushed in place: copying the list for each section was quadratic in a doc that repeats one endpoint)
  for (const s of doc.sections) {
    if (!s.key) continue;
    const list = byKey.get(s.key);
    if (list) list.push(s);
    else byKey.set(s.key, [s]);
  }
  // a doc line with a path and no method matches the spec's operation on that path
  const keyed = (key: string | undefined) => (key ? [...(byKey.get(key) ?? []), ...(byKey.get(key.replace(/^[A-Z]+ /, "ANY ")) ?? [])] : []);

  for (const op of ops) {
    const candidates = keyed(op.key);
    let section = candidates.find((s) => !claimed.has(s) && s.heading === op.docSection?.heading) ?? candidates.find((s) => !claimed.has(s));
    if (!section && op.docSection) section = doc.sections.find((s) => !s.key && !claimed.has(s) && s.heading === op.docSection!.heading);
    if (!section) {
      if (op.key && (candidates.length || op.docSection || /^(GET|POST|PUT|DELETE|PATCH) /.test(op.key) || op.key.startsWith("op ") || op.key.startsWith("topic ") || op.key === "state")) {
        out.push({ kind: "operation-not-in-doc", operation: op.id, endpoint: op.key, message: `operation ${op.id} (${op.key}) is in the spec but not in the doc` });
      }
      continue;
    }
    claimed.add(section);
    if (!op.docSection) {
      out.push({ kind: "section-unrecorded", operation: op.id, endpoint: op.key, message: `operation ${op.id} (${op.key}) has no x-doc-section record (doc section "${section.heading}", line ${section.line})` });
    } else if (op.docSection.sha256 !== section.sha256) {
      out.push({ kind: "section-changed", operation: op.id, endpoint: op.key, message: `review operation ${op.id} (${op.key}): doc section "${section.heading}" (line ${section.line}) changed since the spec was written` });
    }
    if (section.params) compareParams(op, section, cfg, out);
  }

  /** Per doc key, the operation and the section it was matched to (a section repeating the key is named so). */
  const matchedByKey = new Map<string, [SpecOperation, DocSection]>();
  for (const op of ops) {
    const first = op.key ? keyed(op.key).find((x) => claimed.has(x)) : undefined;
    if (first?.key && !matchedByKey.has(first.key)) matchedByKey.set(first.key, [op, first]);
  }
  const recorded = cfg.sections ?? [];
  const seen = new Set<string>();
  for (const s of doc.sections) {
    if (claimed.has(s)) continue;
    if (s.key) {
      // (the same endpoint in a second section: the spec has it, matched to the first)
      const [op, first] = matchedByKey.get(s.key) ?? [];
      if (op && first) out.push({ kind: "endpoint-repeated", operation: op.id, endpoint: s.key, message: `${s.key} is in the doc twice: section "${s.heading}" (line ${s.line}) repeats it; the spec's operation ${op.id} is matched to section "${first.heading}" (line ${first.line})` });
      else out.push({ kind: "endpoint-not-in-spec", endpoint: s.key, message: `${s.key} is in the doc (section "${s.heading}", line ${s.line}) but not in the spec` });
      continue;
    }
    const rec = recorded.find((r) => r.heading === s.heading && !seen.has(r.heading));
    if (!rec) {
      out.push({ kind: "section-unclaimed", message: `doc section "${s.heading}" (line ${s.line}) is claimed by no operation and not recorded in x-vendor-doc.sections` });
      continue;
    }
    seen.add(rec.heading);
    if (rec.sha256 !== s.sha256) out.push({ kind: "section-changed", message: `review ${rec.covers}: doc section "${s.heading}" (line ${s.line}) changed since the spec was written` });
  }
  for (const r of recorded) if (!seen.has(r.heading)) out.push({ kind: "section-gone", message: `doc section "${r.heading}" (recorded for ${r.covers}) is no longer in the doc` });

  if (doc.codes && Object.keys(doc.codes).length) {
    const codes = specStateCodes(spec);
    const docByValue = new Map(Object.entries(doc.codes).map(([n, v]) => [v, n]));
    const extra = ((codes?.deviation?.extra as unknown[]) ?? []).map(Number);
    for (const [v, n] of docByValue) {
      if (!codes?.codes.has(v)) out.push({ kind: "state-code", message: `state code ${n} = ${v} is in the doc but not in the spec` });
      else if (codes.codes.get(v) && codes.codes.get(v) !== n) out.push({ kind: "state-code", message: `state code ${v} is ${n} in the doc, ${codes.codes.get(v)} in the spec` });
    }
    for (const [v, n] of codes?.codes ?? []) {
      if (docByValue.has(v)) continue;
      const ack = extra.includes(v);
      out.push({ kind: "state-code", message: `state code ${n ?? v} = ${v} is in the spec but not in the doc`, acknowledged: ack, reason: ack ? reasonOf(codes!.deviation) : undefined });
    }
  }

  return { api, differences: out.filter((d) => !d.acknowledged), acknowledged: out.filter((d) => d.acknowledged) };
}

/** The `x-doc-section` record of every operation, as the doc is now (for `--record`). */
export function currentSections(spec: Node, docText: string): Map<string, { heading: string; sha256: string }> {
  const cfg = spec["x-vendor-doc"] as VendorDocConfig;
  const doc = parseVendorDoc(docText, cfg);
  const claimed = new Set<DocSection>();
  const out = new Map<string, { heading: string; sha256: string }>();
  for (const op of specOperations(spec)) {
    const candidates = op.key ? doc.sections.filter((s) => s.key === op.key || s.key === op.key!.replace(/^[A-Z]+ /, "ANY ")) : [];
    let section = candidates.find((s) => !claimed.has(s) && s.heading === op.docSection?.heading) ?? candidates.find((s) => !claimed.has(s));
    if (!section && op.docSection) section = doc.sections.find((s) => !s.key && s.heading === op.docSection!.heading);
    if (!section) continue;
    claimed.add(section);
    out.set(op.id, { heading: section.heading, sha256: section.sha256 });
  }
  return out;
}
