/** For spec diff tests in a temporary git repository: git with a fixed author, and the `spec` command's output. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSpecCommand } from "../../src/cli/spec-command.js";

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
}

/** `tradeapi spec <argv>` run in `cwd`: its exit code and what it wrote. */
export async function runSpec(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runSpecCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd });
  return { code, stdout, stderr };
}

/** A new git repository in a temporary folder holding one API, `demo`, whose spec `spec` is committed. */
export function demoSpecRepo(prefix: string, spec: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  git(dir, "init", "-q");
  mkdirSync(join(dir, "specs"));
  writeFileSync(join(dir, "redocly.yaml"), "apis:\n  demo:\n    root: specs/demo.yaml\n");
  writeFileSync(join(dir, "specs/demo.yaml"), spec);
  git(dir, "add", ".");
  git(dir, "commit", "-qm", "spec");
  return dir;
}
