/**
 * The session's notification topics come from the generated code (QuantWsNotifications /
 * quantWsMeta.notificationTopics), not from a list written again by hand: a notification the
 * AsyncAPI spec adds flows through the client without an edit. Checked by type-checking the
 * client against generated/quant-ws.ts with one more topic (`trade`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/api-registry.js";

const GENERATED = join(ROOT, "generated/quant-ws.ts");

/** generated/quant-ws.ts with a `trade` notification added (as a new x-topic in the spec would make it). */
function withNewTopic(): string {
  const text = readFileSync(GENERATED, "utf8");
  const edited = text
    .replace(/(export interface QuantWsNotifications \{\n)/, '$1  "trade": OrderNotification;\n')
    .replace(/notificationTopics: \["order", "fill", "position", "asset"\]/, 'notificationTopics: ["order", "fill", "position", "asset", "trade"]');
  expect(edited).not.toBe(text);
  expect(edited).toContain('"trade": OrderNotification;');
  return edited;
}

describe("quant-ws topics follow the spec", () => {
  it("a notification topic added to the generated code type-checks through the session and its router", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    };
    const host = ts.createCompilerHost(options);
    const source = withNewTopic();
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, version, ...rest) => (file === GENERATED ? ts.createSourceFile(file, source, version) : getSourceFile(file, version, ...rest));
    const files = ["session.ts", "session-router.ts", "frames.ts", "client.ts"].map((f) => join(ROOT, "src/handwritten/quant-ws", f));
    const program = ts.createProgram(files, options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
      if (!d.file || d.start === undefined) return text;
      return `${d.file.fileName.slice(ROOT.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ${text}`;
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
