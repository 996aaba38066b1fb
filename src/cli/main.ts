/**
 * The `tradeapi` command.
 *
 *   tradeapi list [api]
 *   tradeapi call <api> <operationId | "METHOD /path"> [name=value ...] [--json '<body>'] [--base-url URL]
 *   tradeapi mock <api> [--port N] [--lose-answers OPERATION[:N]] [flags of the api]
 *   tradeapi ws demo | login | place | send      (the Quant gateway)
 *
 * Exit codes: 0 success; 1 API or transport error (one line on stderr naming api, operation,
 * code and message; never a secret); 2 usage error (unknown command/flag/API/operation,
 * missing or invalid parameter or credential), with a hint; 130, 143, 129 stopped by SIGINT,
 * SIGTERM, SIGHUP (but `mock`: stopping is how an emulator ends, exit 0).
 */
import { readFileSync } from "node:fs";
import { CredentialsError, TradeApiError, UNPRINTABLE, unicodeEscape, UsageError, redact } from "../handwritten/core/errors.js";
import { CallStopped, CliUsageError, didYouMean, quotedValue, stopExitCode, type StopSignal } from "./args.js";
import { COMMANDS, type CliCommand } from "./commands.js";
import { PROXY_ENV, proxySecrets } from "./proxy-env.js";
import { twoColumns, wrap } from "./help.js";
import { API_TABLE, credentialMessage, envNameOf, secretValues, type CliIo } from "./registry.js";

export type { CliIo } from "./registry.js";

function topHelp(): string {
  const width = Math.max(...API_TABLE.flatMap((a) => a.env.map((v) => v.name.length)));
  const lines = ["usage:"];
  for (const c of COMMANDS) {
    const [first, ...rest] = wrap(c.usage, 72);
    lines.push(`  ${first}`, ...rest.map((l) => `        ${l}`), ...wrap(c.summary, 74).map((l) => `      ${l}`));
  }
  lines.push("  tradeapi <command> --help            the command's own usage", "  tradeapi --version                   the package's version", "", `apis: ${API_TABLE.map((a) => a.name).join(", ")}`, "", "environment (credentials and servers):");
  for (const a of API_TABLE) {
    lines.push(`  ${a.name}`);
    lines.push(...twoColumns(a.env.map((v) => [v.name, v.description] as const), "    ", width + 1));
  }
  lines.push("  every API");
  lines.push(...twoColumns(PROXY_ENV.map((v) => [v.name, v.description] as const), "    ", width + 1));
  lines.push("", "exit codes: 0 ok; 1 API or transport error; 2 usage error; 130 stopped by Ctrl-C (SIGINT), 143 by SIGTERM, 129 by SIGHUP (a closed terminal or ssh session); mock, which runs until stopped, exits 0 then");
  return `${lines.join("\n")}\n`;
}

/** The package's version, from its package.json (two folders up from src/cli, three from dist/src/cli). */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "tradeapi" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not this folder
    }
  }
  return "(version unknown)";
}

/** Values of secret flags on the command line (e.g. --secret-key), redacted like the environment's. */
function secretFlagValues(argv: readonly string[]): string[] {
  const names = new Set(API_TABLE.flatMap((a) => [...(a.callFlags ?? []), ...(a.mockFlags ?? [])]).filter((f) => f.secret).map((f) => `--${f.name}`));
  const out: string[] = [];
  argv.forEach((a, i) => {
    const eq = a.indexOf("=");
    if (eq > 0 && names.has(a.slice(0, eq))) out.push(a.slice(eq + 1));
    else if (names.has(a) && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
  });
  return out.filter(Boolean);
}

/**
 * Characters a terminal acts on instead of showing (C0 controls but tab and line feed, DEL,
 * C1 controls, bidirectional overrides and marks), written as `\uXXXX`. Everything the CLI
 * prints passes it: a server's text (an error message, a field of an answer, a state message)
 * cannot move the cursor, set the terminal's title, forge a line or reorder what is read. JSON
 * output stays the same JSON: the CLI's JSON never holds a raw C0 control, and inside a string
 * `\u0085` is the character it replaces.
 */
const TERMINAL_UNSAFE = new RegExp(`(?![\\t\\n])${UNPRINTABLE.source}`, "g");
export function terminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, unicodeEscape);
}

/**
 * The library's advice naming its options, and the same in `tradeapi call`'s words (its flags):
 * a decimal a double cannot hold, an export file already there, an answer above the limit.
 */
const CALL_HINTS: ReadonlyArray<readonly [library: string, call: string]> = [
  ['pass decimals: "string" to get decimals exactly as sent, or decimals: "number" to accept the rounded double', "pass --decimals string to get decimals exactly as sent, or --decimals number to accept the rounded double"],
  ["answer, each decimal as the text sent, is this error's body", "whole answer, each decimal as the text sent, is on stdout"],
  ["(pass overwrite: true to replace it)", "(pass --overwrite to replace it)"],
  ["(the maxResponseBytes option raises the limit)", "(--max-response-bytes N raises the limit)"],
  ["this client's counterVersion", `--counter-version (${envNameOf("xele", "counterVersion")})`],
  ["counterVersion is a counter version", `--counter-version (${envNameOf("xele", "counterVersion")}) is a counter version`],
];

/** An error's message as `command` says it: for `call`, its hints name flags, not library options. */
function inCommandWords(command: CliCommand | undefined, message: string): string {
  return command?.name === "call" ? CALL_HINTS.reduce((m, [library, call]) => m.replace(library, call), message) : message;
}

/**
 * The hint after the library's refusal of a call's parameter (`parameter "id" is out of range`),
 * as the CLI's own parameter errors have it: where the operation's parameters are listed.
 */
function parameterHint(command: CliCommand | undefined, e: UsageError): string {
  if ((command?.name !== "call" && command?.name !== "ws") || e instanceof CredentialsError || !e.api || !e.operation || !/\bparameters?\b/.test(e.message)) return "";
  return `(\`tradeapi call ${e.api} ${e.operation} --help\` lists its parameters)\n`;
}

export async function runCli(argv: string[], given: CliIo): Promise<number> {
  const io: CliIo = { ...given, stdout: (t) => given.stdout(terminalText(t)), stderr: (t) => given.stderr(terminalText(t)) };
  if (given.stdoutWrite) io.stdoutWrite = (t) => given.stdoutWrite!(terminalText(t));
  const [command, ...args] = argv;
  let current: CliCommand | undefined;
  try {
    if (command === undefined || ((command === "--help" || command === "-h" || command === "help") && args.length === 0)) {
      // Asked for: stdout, exit 0; no command at all is a usage error: stderr, exit 2.
      (command === undefined ? io.stderr : io.stdout)(topHelp());
      return command === undefined ? 2 : 0;
    }
    // `help call xt order` is `call xt order --help`; `--help list` is `help list`; help about
    // help or the version is the top help (`help help` was asked for its own help forever).
    if (command === "help" || command === "--help" || command === "-h") {
      if (["help", "--help", "-h", "--version", "-V"].includes(args[0]!)) {
        io.stdout(topHelp());
        return 0;
      }
      return await runCli([...args.filter((a) => a !== "--help" && a !== "-h"), "--help"], io);
    }
    if (command === "--version" || command === "-V") {
      if (args.length) throw new CliUsageError(`--version takes nothing after it, got ${quotedValue(args[0]!)}`);
      io.stdout(`tradeapi ${packageVersion()}\n`);
      return 0;
    }
    current = COMMANDS.find((c) => c.name === command);
    if (!current && command.startsWith("-")) {
      // (`--verison`, `--hlep`: the options that do go before a command)
      const near = didYouMean(command.replace(/^-+/, ""), ["version", "help"], (c) => `--${c}`);
      if (near) throw new CliUsageError(`unknown option ${quotedValue(command)}${near}; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
      throw new CliUsageError(`unknown option ${quotedValue(command)} before the command: options go after it (\`tradeapi <command> --help\`); commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
    }
    if (!current) {
      throw new CliUsageError(`unknown command ${quotedValue(command)}${didYouMean(command, COMMANDS.map((c) => c.name))}; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
    }
    const module = await current.load();
    return await module.run(args, io);
  } catch (e) {
    const secrets = [...secretValues(io.env), ...proxySecrets(io.env), ...secretFlagValues(argv)];
    if (e instanceof UsageError) {
      const usage = e instanceof CliUsageError ? e.hint ? `${e.hint}\n` : (current ? `usage: ${current.usage}\n(\`tradeapi ${current.name} --help\` for more)\n` : "(`tradeapi --help` lists the commands)\n") : parameterHint(current, e);
      const message = e instanceof CredentialsError ? credentialMessage(e.api, e.message, io.env, argv) : e.message;
      io.stderr(`tradeapi: ${redact(inCommandWords(current, message), secrets)}\n${usage}`);
      return 2;
    }
    if (e instanceof CallStopped) {
      io.stderr(`tradeapi: stopped by ${e.signal}: ${redact(e.error.message, secrets)}\n`);
      return stopExitCode(e.signal);
    }
    if (e instanceof TradeApiError) {
      io.stderr(`tradeapi: error: ${redact(inCommandWords(current, e.message), secrets)}\n`);
      return 1;
    }
    io.stderr(`tradeapi: unexpected error: ${redact(e instanceof Error ? e.message : String(e), secrets)}\n`);
    return 1;
  }
}

/**
 * Write `text` to `stream`; resolves at once when its buffer takes more, else once it drained
 * (or closed, or failed: the stream's 'error' listener deals with that).
 */
function writeWaiting(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

/**
 * Process entry: real stdio, stops long-running commands on SIGINT/SIGTERM. A reader that
 * goes away (`tradeapi list | head -1`) ends the process quietly; output that cannot be
 * written (a full disk, `> /dev/full`) is one line on stderr and exit 1, not a stack. A
 * stderr that cannot be written is left alone (there is nowhere to say so).
 */
export async function main(): Promise<void> {
  let stdoutClosed = false;
  /** The stops of commands that end by themselves when stdout's reader goes away (ws: a logout first). */
  const pipeStops = new Set<() => void>();
  const onStreamError = (e: NodeJS.ErrnoException) => {
    stdoutClosed = true;
    if (e.code === "EPIPE") {
      if (pipeStops.size === 0) process.exit(process.exitCode ?? 0);
      for (const stop of pipeStops) stop();
      return;
    }
    process.stderr.write(`tradeapi: error: cannot write the output (${e.code ?? e.message})\n`);
    process.exit(1);
  };
  process.stdout.on("error", onStreamError);
  process.stderr.on("error", () => undefined);
  const code = await runCli(process.argv.slice(2), {
    stdout: (t) => void (stdoutClosed || process.stdout.write(t)),
    stdoutWrite: (t) => (stdoutClosed ? Promise.resolve() : writeWaiting(process.stdout, t)),
    stderr: (t) => void process.stderr.write(t),
    stdoutBytes: (b) => void (stdoutClosed || process.stdout.write(b)),
    stdoutIsTerminal: process.stdout.isTTY === true,
    env: process.env,
    // The first SIGINT, SIGTERM or SIGHUP stops the command and takes the listeners with it: a
    // second signal (Ctrl-C while a logout hangs after a SIGTERM) ends the process at once.
    // With `orphan` (the commands that run until stopped: mock, ws), the process that started it
    // gone (an `npx tradeapi mock … &` whose npx a script killed, a shell that died: the emulator
    // lived on, holding its port) is a SIGHUP too: its parent process changes. Looked at each
    // second, on a timer that keeps nothing alive. Not for a call, which ends by itself (an order
    // placed from a script in the background must not be cut off when the script ends).
    untilStopped: (options) =>
      new Promise<StopSignal>((resolve) => {
        const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
        const parent = process.ppid;
        const orphaned = options?.orphan ? setInterval(() => void (process.ppid !== parent && stop("SIGHUP")), 1_000).unref() : undefined;
        const onPipe = () => stop("SIGPIPE");
        const stop = (signal: StopSignal) => {
          signals.forEach((s, i) => process.off(s, listeners[i]!));
          clearInterval(orphaned);
          pipeStops.delete(onPipe);
          resolve(signal);
        };
        const listeners = signals.map((signal) => {
          const on = () => stop(signal);
          process.on(signal, on);
          return on;
        });
        if (options?.pipe) pipeStops.add(onPipe);
      }),
    readStdin: async (maxBytes) => {
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
        n += chunk.length;
        if (n > maxBytes) throw new CliUsageError(`--json -: standard input holds more than ${maxBytes} bytes`);
        chunks.push(chunk);
      }
      return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
    },
  });
  process.exitCode = code;
  // Done: out once the output is written (undici's own timers held the process about half a
  // second after the answer, a third of a call's time in a shell loop).
  // (an output that failed is its error listener's to end: exit 1, saying so)
  process.stdout.write("", (e) => void (e || stdoutClosed || process.stderr.write("", () => process.exit(code))));
}
