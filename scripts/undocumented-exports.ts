/**
 * Lists the hand-written declarations the package publishes with no doc comment an editor can
 * show (TypeScript's getDocumentationComment on the built .d.ts, re-exports followed), per
 * subpath of package.json `exports`. Run after `npx tsc -p tsconfig.build.json`:
 *
 *   npx tsx scripts/undocumented-exports.ts            # exported declarations
 *   npx tsx scripts/undocumented-exports.ts --members  # and the public members of exported classes and interfaces
 *
 * Declarations from generated/ (the specs' own types) are left out. Exit code 0 either way.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { types?: string }>;
};
const withMembers = process.argv.includes("--members");

const entries = Object.entries(pkg.exports)
  .flatMap(([sub, target]) => (typeof target === "object" && target.types ? [[sub, path.join(root, target.types)] as const] : []));
const program = ts.createProgram(entries.map(([, file]) => file), {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  types: ["node"],
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

const handWritten = (decl: ts.Declaration): boolean => {
  const file = path.relative(root, decl.getSourceFile().fileName);
  return file.startsWith(`dist${path.sep}src${path.sep}`);
};
const where = (decl: ts.Declaration): string => {
  const sf = decl.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(decl.getStart());
  return `${path.relative(root, sf.fileName)}:${line + 1}`;
};
const documented = (symbol: ts.Symbol): boolean =>
  ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "";

const seen = new Map<string, { name: string; where: string; subpaths: string[] }>();
const seenMembers = new Map<string, { name: string; where: string }>();
const counts: Record<string, { total: number; missing: number }> = {};
let total = 0;

for (const [sub, file] of entries) {
  const sf = program.getSourceFile(file);
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) throw new Error(`no module at ${file}`);
  const count = (counts[sub] = { total: 0, missing: 0 });
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (!decl || !handWritten(decl)) continue;
    count.total++;
    const key = `${where(decl)}#${symbol.name}`;
    if (!seen.has(key) && !documented(symbol) && !documented(exported)) {
      seen.set(key, { name: exported.name, where: where(decl), subpaths: [] });
    }
    const entry = seen.get(key);
    if (entry) {
      entry.subpaths.push(sub);
      count.missing++;
    }
    if (!withMembers || !(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    const type = symbol.flags & ts.SymbolFlags.Class ? checker.getDeclaredTypeOfSymbol(symbol) : checker.getDeclaredTypeOfSymbol(symbol);
    const members = [...checker.getPropertiesOfType(type)];
    if (symbol.flags & ts.SymbolFlags.Class) {
      members.push(...checker.getPropertiesOfType(checker.getTypeOfSymbol(symbol)).filter((m) => m.name !== "prototype"));
      const ctor = symbol.members?.get("__constructor" as ts.__String);
      if (ctor) members.push(ctor);
    }
    for (const member of members) {
      const mdecl = member.declarations?.[0];
      if (!mdecl || !handWritten(mdecl)) continue;
      // a member declared by a base class or interface is reported there
      const owner = mdecl.parent;
      if (owner && ts.isClassLike(owner) || owner && ts.isInterfaceDeclaration(owner)) {
        const ownerName = (owner as ts.ClassLikeDeclaration | ts.InterfaceDeclaration).name?.text;
        if (ownerName !== symbol.name) continue;
      }
      const modifiers = ts.getCombinedModifierFlags(mdecl);
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || member.name.startsWith("#")) continue;
      if (member.name === "__constructor" && (modifiers & ts.ModifierFlags.Private)) continue;
      const mkey = `${where(mdecl)}#${symbol.name}.${member.name}`;
      if (seenMembers.has(mkey) || documented(member)) continue;
      seenMembers.set(mkey, { name: `${symbol.name}.${member.name === "__constructor" ? "constructor" : member.name}`, where: where(mdecl) });
    }
  }
}

total = new Set([...seen.keys()]).size;
for (const [sub, { total: all, missing }] of Object.entries(counts)) {
  console.log(`${sub.padEnd(12)} ${String(missing).padStart(4)} of ${String(all).padStart(4)} exports undocumented`);
}
const distinct = new Set<string>();
for (const [sub, file] of entries) {
  const sf = program.getSourceFile(file)!;
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (decl && handWritten(decl)) distinct.add(`${where(decl)}#${symbol.name}`);
  }
  void sub;
}
console.log(`distinct: ${total} of ${distinct.size} hand-written exports undocumented`);
for (const { name, where: at, subpaths } of [...seen.values()].sort((a, b) => a.where.localeCompare(b.where))) {
  console.log(`  ${name.padEnd(36)} ${at}  (${subpaths.join(" ")})`);
}
if (withMembers) {
  console.log(`members: ${seenMembers.size} undocumented`);
  for (const { name, where: at } of [...seenMembers.values()].sort((a, b) => a.where.localeCompare(b.where))) {
    console.log(`  ${name.padEnd(48)} ${at}`);
  }
}
