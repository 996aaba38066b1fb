// Code shape: no function in src/ (declarations, methods, constructors, accessors, closures,
// arrow functions, class bodies' members alike) runs over ~150 lines. A function that long
// does several jobs; split it by job (issue 10 item 6).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const MAX_LINES = 150;

/**
 * Functions over the limit that are known and owned elsewhere (file and name → why it stays
 * for now). Each entry must still be over the limit: remove it once the function is split.
 */
const KNOWN_LONG: Readonly<Record<string, string>> = {};
const root = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

export interface LongFunction {
  where: string;
  name: string;
  lines: number;
}

/** Every function-like node in `text` longer than `max` lines (first to last line, inclusive). */
export function longFunctions(fileName: string, text: string, max: number): LongFunction[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) {
        const named = (node as ts.FunctionLikeDeclaration).name;
        const name = named !== undefined ? named.getText(file) : `<${ts.SyntaxKind[node.kind]}>`;
        found.push({ where: `${fileName}:${start + 1}`, name, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("code shape", () => {
  it("finds a long function, an arrow function and a method, and passes a short one", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const a${i} = ${i};`).join("\n");
    const text = [
      `export function big() {\n${body(160)}\n}`,
      `const small = () => {\n${body(10)}\n};`,
      `const arrow = () => {\n${body(151)}\n};`,
      `class K {\n  method() {\n${body(200)}\n  }\n}`,
    ].join("\n");
    const got = longFunctions("x.ts", text, MAX_LINES).map((f) => [f.name, f.lines]);
    expect(got).toEqual([
      ["big", 162],
      ["<ArrowFunction>", 153],
      ["method", 202],
    ]);
  });

  it(`no function in src/ is over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(join(root, "src"));
    expect(files.length).toBeGreaterThan(20);
    const long = files.flatMap((path) =>
      longFunctions(relative(root, path).split(sep).join("/"), readFileSync(path, "utf8"), MAX_LINES),
    );
    const keyOf = (f: LongFunction) => `${f.where.replace(/:\d+$/, "")} ${f.name}`;
    const report = long.filter((f) => !(keyOf(f) in KNOWN_LONG)).map((f) => `${f.where} ${f.name}: ${f.lines} lines`);
    expect(report, `functions over ${MAX_LINES} lines (split them by job)`).toEqual([]);
    const stale = Object.keys(KNOWN_LONG).filter((k) => !long.some((f) => keyOf(f) === k));
    expect(stale, "KNOWN_LONG entries no longer over the limit: remove them").toEqual([]);
  });
});
