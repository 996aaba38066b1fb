/** A test's scratch folder under the OS temp dir, removed when the test ends (whether it passed or not). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/**
 * Call it inside a test: `prefix` names the folder (`checkdoc-` → /tmp/checkdoc-XXXXXX). A
 * concurrent test passes its context's `onTestFinished`: the global one does not know which of
 * the tests running at once called it, and may remove the folder when another one ends.
 */
export function tempDir(prefix: string, onFinished: typeof onTestFinished = onTestFinished): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
