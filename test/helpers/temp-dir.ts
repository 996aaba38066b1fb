/** A test's scratch folder under the OS temp dir, removed when the test ends (whether it passed or not). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** Call it inside a test: `prefix` names the folder (`checkdoc-` → /tmp/checkdoc-XXXXXX). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
