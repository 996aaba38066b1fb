/** `tradeapi mock <api> [--port N] [api flags]`: run the API's emulator on 127.0.0.1 until stopped. */
import { prefix, UsageError } from "../../handwritten/core/errors.js";
import { CliUsageError, portFlag, quotedValue, type FlagSpec } from "../args.js";
import { envLines, flagLines } from "../help.js";
import { apiNames, parseApiArgs, type CliIo } from "../registry.js";

const MOCK_FLAGS: readonly FlagSpec[] = [
  { name: "port", type: "string", description: "port on 127.0.0.1 (default 0: any free port)", valueName: "N" },
  {
    name: "lose-answers",
    type: "string",
    description: "handle the next N requests of the operation (default 1) but send no answer (REST: the connection is dropped): to test what a client does when an order's outcome is unknown",
    valueName: "OPERATION[:N]",
  },
  {
    name: "json",
    type: "boolean",
    description: 'print one JSON line once listening, for scripts: {"api", "urls", "env"} (env: the client side\'s variables, URLs and the credentials it accepts)',
  },
];

export const MOCK_USAGE = `usage: tradeapi mock <api> [--port N] [--lose-answers OPERATION[:N]] [--json]
         [flags of the api]    (runs until Ctrl-C, SIGTERM or SIGHUP: exit 0;
                                also stops when the process that started it is gone)
       tradeapi mock <api> --help    the api's emulator flags
apis: ${apiNames().join(", ")}`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { entry, positional, flags, specs: own } = parseApiArgs(args, MOCK_FLAGS, (a) => a.mockFlags);
  if (!entry) {
    io.stdout(`${MOCK_USAGE}\n`);
    return 0;
  }
  if (flags.help) {
    io.stdout(`usage: tradeapi mock ${entry.name} [--port N] [--lose-answers OPERATION[:N]] [--json]${entry.mockFlags?.length ? " [flags]" : ""}\nflags:\n${flagLines(own).join("\n")}\nthe client side reads:\n${envLines(entry).join("\n")}\n`);
    return 0;
  }
  if (positional.length > 1) throw new CliUsageError(`mock takes one api, got also ${quotedValue(positional[1]!)}`);
  const port = portFlag("port", flags.port);
  const portFlags = Object.keys(flags).filter((k) => k.endsWith("port"));
  // Two servers of one emulator (xele's --port and --ms-port) on one port: the second cannot listen.
  for (const [i, a] of portFlags.entries()) {
    const same = portFlags.slice(i + 1).find((b) => portFlag(b, flags[b]) === portFlag(a, flags[a]) && portFlag(a, flags[a]) !== 0);
    if (same) throw new CliUsageError(`--${a} and --${same} are both ${flags[a]}: each server needs a port of its own (0 = any free port)`);
  }
  const lose = loseAnswersFlag(flags["lose-answers"]);
  const api = await entry.load();
  if (!api.startMock) throw new CliUsageError(`${entry.name} has no emulator`);
  let running;
  try {
    running = await api.startMock({ port, flags, log: (l) => io.stderr(`${l}\n`) });
  } catch (e) {
    // The emulator's refusal of an option a flag set ("xele: orders must be …"), as the flag's.
    const said = e instanceof UsageError && !(e instanceof CliUsageError) ? e.message.slice(prefix(e).length) : "";
    const setBy = said ? entry.mockFlags?.find((f) => f.option !== undefined && said.startsWith(`${f.option} `)) : undefined;
    if (setBy) throw new CliUsageError(`--${setBy.name}${said.slice(setBy.option!.length)}`);
    const err = e as NodeJS.ErrnoException & { port?: number };
    // The flag that asked for it (Xele's --ma-port / --ms-port, or --port).
    const flag = portFlags.find((k) => Number(flags[k]) === err.port) ?? "port";
    if (err.code === "EADDRINUSE") throw new CliUsageError(`port ${err.port ?? port} is already in use; pick another --${flag} (0 = any free port)`);
    if (err.code === "EACCES") throw new CliUsageError(`port ${err.port ?? port} needs privileges; pick a port above 1023 (0 = any free port)`);
    throw e;
  }
  if (lose) {
    try {
      if (!running.loseAnswers) throw new CliUsageError(`--lose-answers: the ${entry.name} emulator answers every request`);
      running.loseAnswers(lose.operationId, lose.count);
    } catch (e) {
      await running.close();
      // The emulator's problem, without its "xt loseAnswers: ", as the flag's.
      throw e instanceof UsageError && !(e instanceof CliUsageError) ? new CliUsageError(`--lose-answers: ${e.message.slice(prefix(e).length)}`) : e;
    }
  }
  // Listening for the signals before the URL is printed: a script that reads it and kills the
  // emulator at once got the default death by the signal (no exit 0, no close).
  const stopped = io.untilStopped?.({ orphan: true }) ?? new Promise<void>(() => undefined);
  if (flags.json) io.stdout(`${JSON.stringify({ api: entry.name, urls: running.urls, env: running.env })}\n`);
  else {
    for (const [k, v] of Object.entries(running.urls)) io.stdout(`${entry.name} emulator ${k === "url" ? "" : `${k} `}listening on ${v}\n`);
    if (running.hint) io.stdout(`${running.hint}\n`);
  }
  await stopped;
  await running.close();
  return 0;
}

/** `--lose-answers OPERATION[:N]`: the operation and how many answers (a whole number from 1). */
function loseAnswersFlag(value: string | undefined): { operationId: string; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^([^:\s]+)(?::(\d{1,7}))?$/.exec(value);
  if (!m || m[2] === "0" || /^0\d/.test(m[2] ?? "")) throw new CliUsageError(`--lose-answers takes OPERATION or OPERATION:N (N a whole number from 1), got ${quotedValue(value)}`);
  return { operationId: m[1]!, count: m[2] === undefined ? 1 : Number(m[2]) };
}
