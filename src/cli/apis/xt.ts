import { meta } from "../../../generated/xt-spot.meta.js";
import { createXtClient } from "../../handwritten/xt/client.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../mock/xt.js";
import type { CliApi } from "../registry.js";

export const xtCli: CliApi = {
  name: "xt",
  title: meta.title,
  meta,
  env: [
    { name: "XT_ACCESS_KEY", description: "access key (accesskey)" },
    { name: "XT_SECRET_KEY", description: "secret key used to sign", secret: true },
    { name: "XT_BASE_URL", description: `base URL (default ${meta.servers[0]?.url})` },
  ],
  createCaller(env, flags) {
    const client = createXtClient({
      accessKey: env.XT_ACCESS_KEY,
      secretKey: env.XT_SECRET_KEY,
      baseUrl: flags.baseUrl ?? env.XT_BASE_URL,
      // One-shot CLI calls: no client-side waiting.
      rateLimit: false,
    });
    return { call: (op, params) => client.call(op as never, params as never) };
  },
  async startMock({ port }) {
    const mock = await startXtMock({ port, log: (l) => process.stderr.write(`${l}\n`) });
    return { urls: { url: mock.url }, close: () => mock.close() };
  },
  mockHint: (m) =>
    `credentials: XT_ACCESS_KEY=${XT_MOCK_ACCESS_KEY} XT_SECRET_KEY=${XT_MOCK_SECRET_KEY}\n` +
    `try: XT_BASE_URL=${m.urls.url} XT_ACCESS_KEY=${XT_MOCK_ACCESS_KEY} XT_SECRET_KEY=${XT_MOCK_SECRET_KEY} tradeapi call xt getBalance`,
};
