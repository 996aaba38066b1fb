/**
 * Writes every TypeScript code sample of the docs (scripts/docs-samples.ts) as a module under
 * `dir`, with a tsconfig that maps the package's subpaths to src/, and returns the tsc command.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readApis, ROOT } from "../../scripts/api-registry.js";
import { asyncOperationSamples, operationSamples, operationsOf, readSpec, type CodeSample } from "../../scripts/docs-samples.js";

export interface WrittenSample {
  api: string;
  operationId: string;
  sample: CodeSample;
  file: string;
}

export function allSamples(): Array<{ api: string; operationId: string; samples: CodeSample[] }> {
  const out: Array<{ api: string; operationId: string; samples: CodeSample[] }> = [];
  for (const api of readApis()) {
    const spec = readSpec(readFileSync(join(ROOT, api.root), "utf8"));
    if (api.kind === "openapi") {
      for (const [method, path, op] of operationsOf(spec)) out.push({ api: api.name, operationId: op.operationId, samples: operationSamples(spec, api.name, method, path, op) });
    } else {
      for (const [id, op] of Object.entries((spec.operations ?? {}) as Record<string, any>)) out.push({ api: api.name, operationId: id, samples: asyncOperationSamples(spec, api.name, id, op) });
    }
  }
  return out;
}

/**
 * `edit` changes a sample's source before writing (to prove the check fails); `only` limits
 * which operations are written.
 */
export function writeSamples(dir: string, edit: (source: string) => string = (s) => s, only: (w: { api: string; operationId: string }) => boolean = () => true): WrittenSample[] {
  const written: WrittenSample[] = [];
  for (const { api, operationId, samples } of allSamples().filter(only)) {
    samples
      .filter((s) => s.lang === "TypeScript")
      .forEach((sample, i) => {
        const file = join(dir, api, `${operationId}.${i}.ts`);
        mkdirSync(join(dir, api), { recursive: true });
        writeFileSync(file, `${edit(sample.source)}\nexport {};\n`);
        written.push({ api, operationId, sample, file });
      });
  }
  writeTsconfig(dir);
  return written;
}

/** A tsconfig (strict, NodeNext) in `dir` that maps the package's subpaths to src/, and its package.json. */
export function writeTsconfig(dir: string): void {
  const src = (p: string) => join(ROOT, p);
  const paths: Record<string, string[]> = { tradeapi: [src("src/index.ts")] };
  // every subpath package.json exports (a new API's too: step 5 of docs/adding-an-api.md)
  const exported = Object.keys((JSON.parse(readFileSync(src("package.json"), "utf8")) as { exports: Record<string, unknown> }).exports);
  for (const sub of exported.map((e) => e.replace(/^\.\//, "")).filter((e) => existsSync(src(`src/handwritten/${e}/index.ts`)))) paths[`tradeapi/${sub}`] = [src(`src/handwritten/${sub}/index.ts`)];
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM"],
          types: ["node"],
          typeRoots: [src("node_modules/@types")],
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          noEmit: true,
          paths,
        },
        include: ["**/*.ts"],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
}
