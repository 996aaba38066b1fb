/** `tradeapi list [api]`: the APIs, or one API's operations. Loads only what it prints. */
import { CliUsageError, parseFlags } from "../args.js";
import { API_TABLE, findApi, type CliIo } from "../registry.js";

export const LIST_USAGE = `usage: tradeapi list          every API with its operation count
       tradeapi list <api>    the API's operations: id, method, path, summary
       (\`tradeapi call <api> <operationId> --help\`: an operation's parameters)`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseFlags(args, []);
  if (flags.help) {
    io.stdout(`${LIST_USAGE}\n`);
    return 0;
  }
  if (positional.length > 1) throw new CliUsageError(`list takes at most one api, got ${positional.length} arguments`);
  const [name] = positional;
  if (name === undefined) {
    const loaded = await Promise.all(API_TABLE.map(async (e) => ({ name: e.name, api: await e.load() })));
    for (const { name: n, api } of loaded) io.stdout(`${n.padEnd(10)} ${api.title} (${api.operations.length} operations)\n`);
    return 0;
  }
  const api = await findApi(name).load();
  // Columns as wide as their longest entry (BHEX has 35-character ids and 52-character paths).
  const idWidth = Math.max(...api.operations.map((o) => o.operationId.length));
  const pathWidth = Math.max(...api.operations.map((o) => o.path.length));
  for (const o of api.operations) {
    io.stdout(`${o.operationId.padEnd(idWidth)} ${o.method.padEnd(6)} ${o.path.padEnd(pathWidth)} ${o.summary}${o.deprecated ? " [deprecated]" : ""}\n`);
  }
  return 0;
}
