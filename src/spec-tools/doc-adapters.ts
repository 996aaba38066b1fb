/**
 * Reading a vendor document into sections: one small adapter per document format, with what
 * differs per vendor (how a section starts, where the request table is) given as data by the
 * spec's root `x-vendor-doc` extension (see docs/doc-conformance.md).
 *
 * Formats:
 *   markdown-tables   headed sections, `METHOD /path` lines, markdown parameter tables (XT, BHEX)
 *   gitbook           GitBook `{% api-method %}` blocks with `{% api-method-parameter %}` tags (Hubi)
 *   numbered          numbered sections without markdown headings: `N. title /path`, `N.M title(METHOD)` (Xele)
 *   prose-json        prose paragraphs followed by JSON examples carrying `"op"` / `"topic"` (WebSocket gateway)
 */
import { createHash } from "node:crypto";

export interface DocParam {
  name: string;
  /** undefined when the doc does not say */
  required?: boolean;
  /** the doc's own type word, as written */
  type?: string;
}

export interface DocSection {
  heading: string;
  /** 1-based line of the heading in the doc */
  line: number;
  /** "GET /path" (REST) or "op login" / "topic order" / "state" (WebSocket); absent for prose sections */
  key?: string;
  /** normalised section text the hash is taken from */
  text: string;
  sha256: string;
  /** request parameters documented in the section (undefined: the doc has no table for it) */
  params?: DocParam[];
}

export interface ParsedDoc {
  sections: DocSection[];
  /** named value lists the doc defines (WebSocket state codes: name → value) */
  codes?: Record<string, number>;
}

/** The spec's root `x-vendor-doc` object. */
export interface VendorDocConfig {
  format: "markdown-tables" | "gitbook" | "numbered" | "prose-json";
  /** regex (multiline source) a section's first line matches (markdown-tables) */
  sectionStart?: string;
  /** regex of the line that opens the request parameters; the request part ends at `requestEnd` */
  requestStart?: string;
  requestEnd?: string;
  /** doc parameters the spec expresses elsewhere: added by the signer (access key, nonce, signature …) or by the transport (Content-Type) */
  ignoreParams?: string[];
  /** how request parameters are compared: "flat" (name, required, type) or "names" (each doc name appears in the request schema) */
  params?: "flat" | "names";
  /** doc sections no operation claims, with what in the spec covers them */
  sections?: Array<{ heading: string; sha256: string; covers: string }>;
}

export class DocFormatError extends Error {}

const NAME_COLUMNS = ["参数", "name", "字段名", "字段", "参数名"];
const TYPE_COLUMNS = ["数据类型", "类型", "schema", "type"];
const REQUIRED_COLUMNS = ["是否必须", "是否必填", "required", "必填", "必须"];
const YES = new Set(["true", "是", "yes", "y", "必填", "必须"]);

export function hashText(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Whitespace-insensitive text of a section: trimmed lines, blank lines dropped. */
export function normalise(lines: string[]): string {
  return lines
    .map(squeeze)
    .filter((l) => l && l !== "<br/>")
    .join("\n");
}

/** What `\s` matches above U+00A0 (below it: tab to carriage return, space). */
const WIDE_SPACES = new Set([0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isSpace = (c: number) => (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 0xa0 && WIDE_SPACES.has(c));

/**
 * `line.replace(/\s+/g, " ").trim()`, character by character: on a long line of short words
 * that replace built millions of pieces (a 30 MB line took 19 s and 1.2 GB, most of it the
 * garbage collector's). The hashes in the specs are taken from this text: it must stay the same.
 */
function squeeze(line: string): string {
  let from = 0;
  let to = line.length;
  while (from < to && isSpace(line.charCodeAt(from))) from++;
  while (to > from && isSpace(line.charCodeAt(to - 1))) to--;
  let plain = true; // nothing to change between from and to: no run but single spaces
  for (let i = from; i < to && plain; i++) {
    const c = line.charCodeAt(i);
    if (isSpace(c) && (c !== 32 || isSpace(line.charCodeAt(i + 1)))) plain = false;
  }
  if (plain) return from === 0 && to === line.length ? line : line.slice(from, to);
  const out = new Uint16Array(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (!isSpace(c)) out[n++] = c;
    else if (!isSpace(line.charCodeAt(i - 1))) out[n++] = 32; // (the first of a run; from is not a space)
  }
  const parts: string[] = [];
  for (let i = 0; i < n; i += 8192) parts.push(String.fromCharCode.apply(null, out.subarray(i, Math.min(n, i + 8192)) as unknown as number[]));
  return parts.join("");
}

function cleanHeading(line: string): string {
  return line
    .replace(/^\s*(?:-\s*)?#{1,6}\s*/, "")
    .replace(/\*\*/g, "")
    .replace(/\\_/g, "_")
    .trim();
}

function section(heading: string, line: number, body: string[], extra: Partial<DocSection> = {}): DocSection {
  const text = normalise(body);
  return { heading, line, text, sha256: hashText(text), ...extra };
}

const cell = (s: string) => s.replace(/\\_/g, "_").replace(/[*`]/g, "").trim();

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|")) t = t.slice(0, -1);
  return t.split("|").map(cell);
}

/**
 * A markdown table's separator line (`| --- | :-: |`): its first cell dashes, the others dashes
 * or empty. Cell by cell, not one pattern with a repeated group: a row of empty cells could end
 * that group at every cell, and a long one backtracked for minutes.
 */
function isSeparator(line: string): boolean {
  let t = line.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|")) t = t.slice(0, -1);
  const cells = t.split("|").map((c) => c.trim());
  return /^:?-+:?$/.test(cells[0]!) && cells.every((c) => /^:?-*:?$/.test(c));
}

/** Parameter rows of every markdown table in `lines` that has a name column. */
export function tableParams(lines: string[]): DocParam[] | undefined {
  let found: DocParam[] | undefined;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.includes("|") || !isSeparator(lines[i + 1]!)) continue;
    const header = splitRow(lines[i]!).map((h) => h.toLowerCase());
    const col = (names: string[]) => header.findIndex((h) => names.includes(h));
    const nameCol = col(NAME_COLUMNS);
    if (nameCol < 0) continue;
    const typeCol = col(TYPE_COLUMNS);
    const reqCol = col(REQUIRED_COLUMNS);
    found ??= [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.includes("|") && !isSeparator(lines[j]!); j++) {
      const row = splitRow(lines[j]!);
      const name = row[nameCol];
      if (!name || !/^[A-Za-z_][\w.\[\]-]*$/.test(name)) continue;
      const p: DocParam = { name };
      if (typeCol >= 0 && row[typeCol]) p.type = row[typeCol];
      if (reqCol >= 0 && row[reqCol] !== undefined) p.required = YES.has(row[reqCol]!.toLowerCase());
      found.push(p);
    }
    i = j - 1;
  }
  return found;
}

/** The lines of the request part (undefined: the section has no request part). */
function requestPart(body: string[], cfg: VendorDocConfig): string[] | undefined {
  if (!cfg.requestStart) return body;
  const start = new RegExp(cfg.requestStart);
  const end = cfg.requestEnd ? new RegExp(cfg.requestEnd) : undefined;
  const i = body.findIndex((l) => start.test(l));
  if (i < 0) return undefined;
  const rest = body.slice(i + 1);
  const j = end ? rest.findIndex((l) => end.test(l)) : -1;
  return j < 0 ? rest : rest.slice(0, j);
}

/**
 * `METHOD /path`, or a bare `/path` line (method not stated: key `ANY /path`). Matched on the
 * line without its leading whitespace, label and code marks (`endpointOf`): two whitespace runs
 * in a row in one pattern backtrack over a long blank line (a hostile doc would take minutes;
 * `* 接口地址:` then 200,000 spaces took 74 s while the label was part of the pattern).
 */
const ENDPOINT = /^(?:(GET|POST|PUT|DELETE|PATCH)\s+)?(?:https?:\/\/[^/\s]+)?(\/[\w{}-]+\/[^\s`~?]*)(?=[\s`~]|$)/;
/** BHEX's `* 接口地址: ` label, then code marks: taken off step by step, for the same reason. */
const ENDPOINT_LABEL = /^\*\s*接口地址[:：]/;
function endpointOf(line: string): RegExpExecArray | null {
  let t = line.trimStart();
  const label = ENDPOINT_LABEL.exec(t);
  if (label) t = t.slice(label[0].length).trimStart();
  t = t.replace(/^[`~]+/, "").trimStart();
  return ENDPOINT.exec(t);
}

/**
 * Where sections begin: line 0 (the text before the first heading) and each start (ascending),
 * once each. A Set, as every lookup of a start is: a doc of 100,000 headings took 10 s when
 * each was looked up in the list of all of them.
 */
function sectionBounds(starts: number[]): number[] {
  return [...new Set([0, ...starts])];
}

function markdownTables(lines: string[], cfg: VendorDocConfig): ParsedDoc {
  if (!cfg.sectionStart) throw new DocFormatError("x-vendor-doc.sectionStart is required for markdown-tables");
  const start = new RegExp(cfg.sectionStart);
  const sections: DocSection[] = [];
  let inFence = false;
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (/^\s*```/.test(l)) inFence = !inFence;
    else if (!inFence && start.test(l)) starts.push(i);
  });
  const bounds = sectionBounds(starts);
  const isStart = new Set(starts);
  for (let k = 0; k < bounds.length; k++) {
    const from = bounds[k]!;
    const to = k + 1 < bounds.length ? bounds[k + 1]! : lines.length;
    const body = lines.slice(from, to);
    const heading = isStart.has(from) ? cleanHeading(lines[from]!) : "(before the first heading)";
    const ep = body.map(endpointOf).find(Boolean);
    const extra: Partial<DocSection> = {};
    if (ep) {
      extra.key = `${ep[1] ?? "ANY"} ${ep[2]!.replace(/\\_/g, "_")}`;
      const req = requestPart(body.slice(1), cfg);
      if (req) extra.params = tableParams(req) ?? [];
    }
    if (normalise(body.slice(1)) === "" && !ep) continue; // a heading with nothing under it
    sections.push(section(heading, from + 1, body, extra));
  }
  return { sections };
}

function gitbook(lines: string[]): ParsedDoc {
  const sections: DocSection[] = [];
  const open = /\{%\s*api-method\s+method="(\w+)"[^%]*path="([^"]+)"\s*%\}/;
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (open.test(l) || /^#{1,6}\s/.test(l)) starts.push(i);
  });
  const bounds = sectionBounds(starts);
  const isStart = new Set(starts);
  for (let k = 0; k < bounds.length; k++) {
    const from = bounds[k]!;
    const to = k + 1 < bounds.length ? bounds[k + 1]! : lines.length;
    const body = lines.slice(from, to);
    const m = open.exec(lines[from]!);
    if (!m) {
      if (normalise(body.slice(1)) === "") continue;
      sections.push(section(isStart.has(from) ? cleanHeading(lines[from]!) : "(before the first heading)", from + 1, body));
      continue;
    }
    const summaryAt = body.findIndex((l) => /\{%\s*api-method-summary\s*%\}/.test(l));
    const heading = summaryAt >= 0 ? cell(body[summaryAt + 1] ?? "").replace(/\\([()])/g, "$1") : m[2]!;
    const params: DocParam[] = [];
    for (const l of body) {
      const p = /\{%\s*api-method-parameter\s+name="([^"]+)"\s+type="([^"]*)"\s+required=(\w+)/.exec(l);
      if (p) params.push({ name: p[1]!.replace(/\\_/g, "_"), type: p[2], required: p[3] === "true" });
    }
    sections.push(section(heading, from + 1, body, { key: `${m[1]!.toUpperCase()} ${m[2]!.replace(/\\_/g, "_")}`, params }));
  }
  return { sections };
}

/**
 * `N. title /path` or `N title:/path` (a numbered chapter naming its path) → the path. Read
 * by hand, not by one pattern: a title of spaces then a lazy title then spaces backtracks
 * over a long line (a hostile doc would hang the check).
 */
export function chapterPath(line: string): string | undefined {
  const number = /^\d+/.exec(line);
  if (!number) return undefined;
  const rest = line.slice(number[0].length).replace(/^\./, "").trimStart();
  if (!rest || /^[\d/]/.test(rest)) return undefined; // a title first, not a digit or the path
  const slash = rest.indexOf("/");
  if (slash < 0) return undefined;
  const path = rest.slice(slash).trimEnd();
  return path.length > 1 && !/\s/.test(path) ? path : undefined;
}

/** `N.M title(METHOD)` (one operation of a chapter) → [number, method]; by hand, as above. */
export function operationLine(line: string): [string, string] | undefined {
  const number = /^\d+\.\d+/.exec(line);
  if (!number || !/^\s/.test(line.slice(number[0].length))) return undefined;
  const m = /\((GET|POST|PUT|DELETE)\)$/.exec(line.trimEnd());
  if (!m || line.slice(number[0].length, line.trimEnd().length - m[0].length).trim() === "") return undefined;
  return [number[0], m[1]!];
}

function numbered(lines: string[], cfg: VendorDocConfig): ParsedDoc {
  // `N. title /path` or `N title:/path` (a chapter naming the path), `N.M title(METHOD)` (one
  // operation), `N) title` (a chapter of the introduction).
  const intro = /^\d+\)\s*\S/;
  const sections: DocSection[] = [];
  let path: string | undefined;
  let cur: { heading: string; line: number; body: string[]; key?: string } = { heading: "(before the first heading)", line: 1, body: [] };
  let sawChapter = false;
  const flush = () => {
    if (normalise(cur.body.slice(1)) === "" && !cur.key) return;
    const extra: Partial<DocSection> = {};
    if (cur.key) {
      extra.key = cur.key;
      const req = requestPart(cur.body.slice(1), cfg);
      if (req) extra.params = tableParams(req) ?? [];
    }
    sections.push(section(cur.heading, cur.line, cur.body, extra));
  };
  lines.forEach((l, i) => {
    const c = /^\d+\.\d/.test(l) ? undefined : chapterPath(l);
    const o = operationLine(l);
    if (c) {
      flush();
      sawChapter = true;
      path = c;
      cur = { heading: l.trim(), line: i + 1, body: [l] };
    } else if (o && path) {
      flush();
      cur = { heading: l.trim(), line: i + 1, body: [l], key: `${o[1]} ${path}` };
    } else if (intro.test(l) && !sawChapter) {
      flush();
      cur = { heading: l.trim(), line: i + 1, body: [l] };
    } else cur.body.push(l);
  });
  flush();
  return { sections };
}

function proseJson(lines: string[], cfg: VendorDocConfig): ParsedDoc {
  // A section starts at the prose line just before `请求示例` / `通知示例` (or a bare `ping`).
  const marker = /^(请求示例|通知示例)\s*$/;
  const isStart = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    if (/^ping\s*$/.test(lines[i]!)) isStart.add(i);
    if (marker.test(lines[i]!)) {
      // (a marker on the doc's first line: its section starts there, with no prose before it)
      let s = Math.max(i - 1, 0);
      while (s > 0 && /^(STATE_CODE_\w+\s*=|\s*$)/.test(lines[s]!)) s--;
      // the paragraph before the example: back up over prose lines that are not JSON or tables
      while (s > 0 && !/[{}\]|]/.test(lines[s - 1]!) && !/^(pong|ping)\s*$/.test(lines[s - 1]!) && !isStart.has(s - 1) && lines[s - 1]!.trim() !== "") s--;
      isStart.add(s);
    }
  }
  const starts = [...isStart].sort((a, b) => a - b);
  const sections: DocSection[] = [];
  const codes: Record<string, number> = {};
  const bounds = sectionBounds(starts);
  for (let k = 0; k < bounds.length; k++) {
    const from = bounds[k]!;
    const to = k + 1 < bounds.length ? bounds[k + 1]! : lines.length;
    const body = lines.slice(from, to);
    const text = body.join("\n");
    const opM = /"op"\s*:\s*"([^"]+)"/.exec(text);
    const topicM = /"topic"\s*:\s*"([^"]+)"/.exec(text);
    let key: string | undefined;
    if (isStart.has(from) && opM) key = opM[1] === "notify" && topicM ? `topic ${topicM[1]}` : opM[1] === "state" ? "state" : `op ${opM[1]}`;
    for (const l of body) {
      const c = /^(STATE_CODE_\w+)\s*=\s*(\d+)/.exec(l.trim());
      if (c) codes[c[1]!] = Number(c[2]);
    }
    const heading = isStart.has(from) ? (key ?? lines[from]!.trim()) : "(introduction)";
    const extra: Partial<DocSection> = {};
    if (key) {
      extra.key = key;
      const req = key.startsWith("op ") ? requestPart(body, cfg) : undefined;
      if (req) extra.params = tableParams(req) ?? [];
    }
    sections.push(section(heading, from + 1, body, extra));
  }
  return { sections, codes };
}

/** Split a vendor document into sections as the spec's `x-vendor-doc` says. */
export function parseVendorDoc(text: string, cfg: VendorDocConfig): ParsedDoc {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  switch (cfg.format) {
    case "markdown-tables":
      return markdownTables(lines, cfg);
    case "gitbook":
      return gitbook(lines);
    case "numbered":
      return numbered(lines, cfg);
    case "prose-json":
      return proseJson(lines, cfg);
    default:
      throw new DocFormatError(`unknown x-vendor-doc format ${JSON.stringify((cfg as { format: unknown }).format)}`);
  }
}
