/**
 * Reading a spec file, the one way `npm run generate`, `npm run docs` and `tradeapi spec diff`
 * do: it must exist, be at most MAX_SPEC_BYTES, be UTF-8 (a stray Latin-1 byte is refused with
 * its line, never turned into U+FFFD in generated/), and parse as YAML (an error names
 * `<file>:<line>:<col>`). Each problem is a SpecParseError whose message names the file.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document } from "yaml";

/** A spec that cannot be read or parsed; the message names the file (and where in it). */
export class SpecParseError extends Error {}

/** Far above any spec (the largest is ~300 kB), far below what would strain the diff or the generator. */
export const MAX_SPEC_BYTES = 16 << 20;

/** `<file>:<line>:<col>`; a `where` that names a version (`x.yaml at HEAD`): `x.yaml:3:7 (at HEAD)`. */
export function place(where: string, line: number, col: number): string {
  const m = /^(.*?) (at .+)$/.exec(where);
  return m ? `${m[1]}:${line}:${col} (${m[2]})` : `${where}:${line}:${col}`;
}

/** The byte offset of the first byte that is not part of well-formed UTF-8 (-1: none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (!n) return i;
    // (the second byte's range excludes overlong forms, surrogates and code points above U+10FFFF)
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const c1 = bytes[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) {
      const ck = bytes[i + k];
      if (ck === undefined || ck < 0x80 || ck > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** Where the first byte that is not UTF-8 is: its line and column (characters, as an editor counts) and the byte as `0xBD`. */
export function invalidUtf8Place(bytes: Uint8Array): { line: number; col: number; byte: string } {
  const at = Math.max(0, firstInvalidUtf8(bytes));
  let line = 1;
  let start = 0;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) (line++, (start = i + 1));
  // (the column counts characters, as an editor does: the valid text before the byte)
  const col = new TextDecoder("utf-8").decode(bytes.subarray(start, at)).length + 1;
  return { line, col, byte: `0x${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, "0")}` };
}

/** A spec file's bytes as text; not UTF-8: a SpecParseError naming `<where>:<line>:<col>` of the first bad byte. */
export function decodeSpecBytes(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const { line, col, byte } = invalidUtf8Place(bytes);
    throw new SpecParseError(`${place(where, line, col)}: not UTF-8 text (byte ${byte}); save the file as UTF-8`);
  }
}

/** A spec file wherever it is kept (the working tree, a git ref): what reading it asks of it. */
export interface SpecSource {
  /** its name in messages: `specs/openapi/xt-spot.yaml`, `specs/openapi/xt-spot.yaml at HEAD~1` */
  where: string;
  /** its size in bytes; "missing": nothing there; "other": something that is not a file (a folder) */
  size(): number | "missing" | "other";
  /** its bytes (asked only once the size is known to be within MAX_SPEC_BYTES) */
  read(): Uint8Array;
}

/** The text of a spec file: it must exist, be a file of at most MAX_SPEC_BYTES, and be UTF-8. */
export function readSpec(source: SpecSource): string {
  const { where } = source;
  const size = source.size();
  if (size === "missing") throw new SpecParseError(`${where} does not exist`);
  if (size === "other") throw new SpecParseError(`${where} is not a file`);
  checkSpecSize(size, where);
  return decodeSpecBytes(source.read(), where);
}

/** The text of the spec file at `abs` (`where`: its name in messages, e.g. `specs/openapi/xt-spot.yaml`). */
export function readSpecFile(abs: string, where: string): string {
  return readSpec({
    where,
    size: () => {
      if (!existsSync(abs)) return "missing";
      const stat = statSync(abs);
      return stat.isFile() ? stat.size : "other";
    },
    read: () => readFileSync(abs),
  });
}

/**
 * Write a spec file anew (`check-doc --record`): into a new file next to it, renamed over it once
 * complete, so that an interrupted write (a full disk, Ctrl-C, a crash) leaves the old spec, not
 * half of the new one. A spec that is a symbolic link is written where it points (the link
 * stays), and only when that is inside the project at `root`. A byte order mark the file
 * starts with is kept.
 */
export function writeSpecFile(root: string, abs: string, where: string, text: string): void {
  const real = realpathSync(abs);
  const rel = relative(realpathSync(root), real);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new SpecParseError(`${where} is a link to ${real}, outside the project; the spec is not written there`);
  // (the text was read without the file's byte order mark, if it had one: it keeps it)
  const head = Buffer.alloc(3);
  const rd = openSync(real, "r");
  try {
    readSync(rd, head, 0, 3, 0);
  } finally {
    closeSync(rd);
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf && !text.startsWith("\ufeff")) text = `\ufeff${text}`;
  const tmp = join(dirname(real), `.${basename(real)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    try {
      writeFileSync(fd, text);
      fchmodSync(fd, statSync(real).mode & 0o7777);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, real);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function checkSpecSize(bytes: number, where: string): void {
  if (bytes > MAX_SPEC_BYTES) throw new SpecParseError(`${where} is ${(bytes / (1 << 20)).toFixed(1)} MiB, larger than the ${MAX_SPEC_BYTES >> 20} MiB a spec may be; is it the right file?`);
}

/** How many values a spec may hold once its YAML aliases are written out (each of the five specs holds fewer than 100,000). */
export const MAX_EXPANDED_VALUES = 2_000_000;

/**
 * How many values (scalars, maps, lists) the document holds with each alias written out as
 * the value it names, counted without writing any out (each node once). The YAML parser's own
 * alias limit passes an anchor without aliases in it however often it is used: a list of
 * 100,000 items named 5,000 times is 215 kB of text, and `spec diff` ran 6 minutes into 2 GB.
 */
function expandedValues(doc: Document): number {
  // Each alias's node, found in one pass in document order (an anchor named again names the
  // later node from there on): the parser's resolve() walks the whole document per alias.
  const anchors = new Map<string, unknown>();
  const targets = new Map<unknown, unknown>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // (an alias inside the value it names counts once)
    let n = 1;
    if (isAlias(node)) n = size(targets.get(node));
    else if (isMap(node) || isSeq(node)) for (const item of node.items as unknown[]) n += isPair(item) ? size(item.key) + size(item.value) : size(item);
    else if (!isScalar(node)) n = node == null ? 0 : 1;
    sizes.set(node, n);
    return n;
  };
  return size(doc.contents);
}

/** `text` as a YAML document; a syntax error is a SpecParseError naming `<where>:<line>:<col>`. */
export function parseSpecDocument(text: string, where: string): Document {
  const doc = parseDocument(text, { intAsBigInt: true, merge: true });
  const e = doc.errors[0];
  if (e) {
    const pos = e.linePos?.[0];
    const message = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").split("\n")[0];
    throw new SpecParseError(`${pos ? place(where, pos.line, pos.col) : where}: does not parse as YAML: ${message}`);
  }
  const values = expandedValues(doc);
  if (values > MAX_EXPANDED_VALUES) {
    throw new SpecParseError(`${where}: its YAML aliases (*name) expand it to ${values > 1e15 ? "more than 10^15" : values.toLocaleString("en-US")} values, more than the ${MAX_EXPANDED_VALUES.toLocaleString("en-US")} a spec may hold: write the repeated part once, as a component its users $ref`);
  }
  return doc;
}

/** `text` as plain data (integers as bigints), syntax errors named as parseSpecDocument names them. */
export function parseSpecYaml(text: string, where: string): unknown {
  return parseSpecDocument(text, where).toJS({ maxAliasCount: 10000 });
}
