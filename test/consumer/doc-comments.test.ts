/**
 * What a consumer's editor shows on hover: every client factory, every emulator's start
 * function, every options interface of a client or an emulator (and each of its options), every
 * emulator type and every error class (and each of its own fields) the package exports has a
 * doc comment (TypeScript's getDocumentationComment, re-exports followed, from the source entry
 * points of package.json `exports`). `npx tsx scripts/undocumented-exports.ts --members` lists
 * everything else the built declarations leave undocumented.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SRC = path.join(ROOT, "src") + path.sep;

/** The source entry point of each subpath: dist/src/….d.ts → src/….ts. */
const entries = Object.entries(
  (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string | { types?: string }> }).exports,
).flatMap(([sub, target]) =>
  typeof target === "object" && target.types ? [[sub, path.join(ROOT, target.types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts"))] as const] : [],
);

const program = ts.createProgram(
  entries.map(([, file]) => file),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: ["node"], skipLibCheck: true, noEmit: true },
);
const checker = program.getTypeChecker();

const documented = (symbol: ts.Symbol): boolean => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";
const handWritten = (symbol: ts.Symbol): boolean => symbol.declarations?.some((d) => d.getSourceFile().fileName.startsWith(SRC)) ?? false;

/** Does the class extend Error (through any number of classes)? */
function isErrorClass(symbol: ts.Symbol): boolean {
  if (!(symbol.flags & ts.SymbolFlags.Class)) return false;
  for (let type: ts.Type | undefined = checker.getDeclaredTypeOfSymbol(symbol); type; ) {
    if (type.symbol?.name === "Error") return true;
    type = checker.getBaseTypes(type as ts.InterfaceType)[0];
  }
  return false;
}

/** What must be documented, and whether its own fields (or options) must be too. */
function kindOf(name: string, symbol: ts.Symbol): { what: string; members: boolean } | undefined {
  if (symbol.flags & ts.SymbolFlags.Function && /^create\w*Client$/.test(name)) return { what: "client factory", members: false };
  if (symbol.flags & ts.SymbolFlags.Function && /^start\w+Mock$/.test(name)) return { what: "emulator", members: false };
  if (symbol.flags & ts.SymbolFlags.Interface && /(Client|Mock)Options$/.test(name)) return { what: "options interface", members: true };
  if (symbol.flags & ts.SymbolFlags.Interface && /Mock$/.test(name)) return { what: "emulator type", members: false };
  if (isErrorClass(symbol)) return { what: "error class", members: true };
  return undefined;
}

/** Public fields and options of `symbol` declared in the package (a base's once, under the first subclass met). */
function membersOf(symbol: ts.Symbol): ts.Symbol[] {
  return checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).filter((m) => {
    const decl = m.declarations?.[0];
    if (!decl || !decl.getSourceFile().fileName.startsWith(SRC) || m.name.startsWith("#")) return false;
    // (methods inherited from Error's own declarations, and toJSON, are not fields)
    if (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) return false;
    return !(ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
  });
}

const checked = new Map<ts.Symbol, { name: string; what: string; subpath: string; members: boolean }>();
for (const [sub, file] of entries) {
  const sf = program.getSourceFile(file);
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) throw new Error(`no module at ${file}`);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (checked.has(symbol) || !handWritten(symbol)) continue;
    const kind = kindOf(exported.name, symbol);
    if (kind) checked.set(symbol, { name: exported.name, subpath: sub, ...kind });
  }
}

describe("doc comments a consumer's editor shows", () => {
  it("finds what it checks (the factories, emulators, options interfaces and the error tree)", () => {
    const names = [...checked.values()].map((c) => c.name);
    for (const name of [
      "createXtClient", "createHubiClient", "createBhexOrgClient", "createXeleClient", "createQuantWsClient",
      "XtClientOptions", "HubiClientOptions", "BhexOrgClientOptions", "XeleClientOptions", "QuantWsClientOptions",
      "startXtMock", "startHubiMock", "startBhexMock", "startXeleMock", "startQuantWsMock", "XeleMockOptions", "HttpMock",
      "TradeApiError", "ApiError", "RateLimitError", "HttpError", "TimeoutError", "QuantWsFrameError", "PipeRowsError",
    ]) {
      expect(names).toContain(name);
    }
  });

  it("documents each of them", () => {
    const missing = [...checked.entries()].filter(([symbol]) => !documented(symbol)).map(([, c]) => `${c.what} ${c.name} (${c.subpath})`);
    expect(missing).toEqual([]);
  });

  it("documents every option of the options interfaces and every field of the error classes", () => {
    const missing: string[] = [];
    const seen = new Set<ts.Symbol>();
    for (const [symbol, c] of checked) {
      if (!c.members) continue;
      for (const member of membersOf(symbol)) {
        if (seen.has(member)) continue;
        seen.add(member);
        if (!documented(member)) missing.push(`${c.name}.${member.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
