/**
 * docs/adding-an-api.md's code, as written, for test/sixth-api.test.ts: each ```ts block that
 * opens with a `// <path>` line is that file of the new API (`acme`, renamed here to the
 * fixture's `demo`). `writeDocTree` lays them out in a folder as they would sit in the
 * project, beside the files `npm run generate` writes for the fixture, every other file and
 * folder of the project's src/ linked in, so that the doc's relative imports find the real
 * modules (one module instance each: the links resolve to the same files).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "../../scripts/api-registry.js";
import { writeTsconfig } from "../docs/samples-typecheck.js";

/** The doc's `acme` as the fixture's `demo` (names, types, variables). */
export const asDemo = (text: string): string => text.replace(/acme/g, "demo").replace(/Acme/g, "Demo").replace(/ACME/g, "DEMO");

/** The ```ts blocks of the doc, unindented. */
function blocks(): string[] {
  const md = readFileSync(join(ROOT, "docs/adding-an-api.md"), "utf8");
  return [...md.matchAll(/^( *)```ts\n([\s\S]*?)^ *```/gm)].map((m) =>
    m[2]!
      .split("\n")
      .map((l) => l.slice(m[1]!.length))
      .join("\n"),
  );
}

/** The doc's modules by path (`src/auth/demo.ts` …): the blocks whose first line is `// <path>.ts`. */
export function docModules(): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of blocks()) {
    const path = /^\/\/ ((?:src|generated)\/[\w./-]+\.ts)\n/.exec(block)?.[1];
    if (path) out.set(asDemo(path), asDemo(block));
  }
  return out;
}

/** The doc's registry entry (step 5) as a module exporting it: `src/cli/demo-entry.ts`, `entry`. */
export function docRegistryEntry(): string {
  const block = blocks().find((b) => b.startsWith("// src/cli/registry.ts: one entry of TABLE\n"));
  if (!block) throw new Error("docs/adding-an-api.md: no block opening with `// src/cli/registry.ts: one entry of TABLE`");
  const literal = block.slice(block.indexOf("\n") + 1).trim().replace(/,$/, "");
  return `import type { ApiEntry } from "./registry.js";\n\nexport const entry: ApiEntry = ${asDemo(literal)};\n`;
}

/**
 * Write the doc's modules, its registry entry, and `generated` (what buildAll gives for the
 * fixture as `demo`) under `dir`; link the rest of src/ in. Returns the files written.
 */
export function writeDocTree(dir: string, generated: ReadonlyMap<string, string>): string[] {
  const files = new Map<string, string>([...docModules(), ["src/cli/demo-entry.ts", docRegistryEntry()]]);
  for (const [path, text] of generated) if (path.endsWith(".ts")) files.set(path, text);
  for (const [path, text] of files) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // Every folder the doc's files sit in gets the project's other files and folders, linked
  // (tsc reads a linked file where the link is: its relative imports must find their files there too).
  const folders = new Set([...files.keys()].flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
  for (const folder of folders) {
    if (!existsSync(join(ROOT, folder))) continue;
    for (const name of readdirSync(join(ROOT, folder))) if (!existsSync(join(dir, folder, name))) symlinkSync(join(ROOT, folder, name), join(dir, folder, name));
  }
  return [...files.keys()].map((p) => join(dir, p));
}

/**
 * A tsconfig in `dir` (strict, NodeNext, as the docs samples' check) over `files` only (the
 * linked folders are compiled through the imports), `tradeapi/demo` mapped to the doc's
 * `index.ts` and the other subpaths to src/.
 */
export function writeDocTsconfig(dir: string, files: readonly string[]): void {
  writeTsconfig(dir);
  const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: { paths: Record<string, string[]> }; include?: string[]; files?: string[] };
  config.compilerOptions.paths["tradeapi/demo"] = [join(dir, "src/handwritten/demo/index.ts")];
  delete config.include;
  config.files = [...files];
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config, null, 2));
}
