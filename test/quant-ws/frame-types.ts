/**
 * Frames checked against the generated TypeScript types (tests only): each frame's JSON text
 * becomes `const fN: <GeneratedType> = <json>;` in an in-memory module importing
 * generated/quant-ws.ts, and the TypeScript compiler type-checks it (strict, excess property
 * checks included; only the frames' module is checked, its imports are the project's). A frame whose values the types deny (a null under a non-null type, a
 * missing or extra field, a string where a number is typed) is a diagnostic naming the frame.
 */
import { join } from "node:path";
import ts from "typescript";
import { ROOT } from "../../scripts/api-registry.js";

const VIRTUAL = join(ROOT, "test/quant-ws/__frames_under_check__.ts");

/** Type-check `frames` ([generated type name, the frame's JSON text]); returns the problems, [] when every frame fits. */
export function checkFrameTypes(frames: ReadonlyArray<readonly [string, string]>): string[] {
  const names = [...new Set(frames.map(([name]) => name))].sort();
  const source = [
    `import type { ${names.join(", ")} } from "../../generated/quant-ws.js";`,
    ...frames.map(([name, json], i) => `export const f${i}: ${name} = ${json};`),
    "",
  ].join("\n");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, version, ...rest) =>
    file === VIRTUAL ? ts.createSourceFile(file, source, version) : getSourceFile(file, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === VIRTUAL || fileExists(file);
  const program = ts.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL)!;
  const lines = source.split("\n");
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const where = d.file.fileName === VIRTUAL ? (lines[line] ?? "").slice(0, 160) : `${d.file.fileName}:${line + 1}`;
    return `${text} — ${where}`;
  });
}
