import { meta } from "../../../generated/xt-spot.docs.js";
import type { CliApi } from "../registry.js";
import { envAssignments } from "../registry.js";
import { decimalsOption, restCliApi, type CliRestClient } from "./rest.js";

export const xtCli: CliApi = restCliApi({
  meta,
  async createClient(settings, flags) {
    const { createXtClient } = await import("../../handwritten/xt/client.js");
    return createXtClient({
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      baseUrl: settings.baseUrl,
      // One-shot CLI calls: no client-side waiting.
      rateLimit: false,
      ...decimalsOption(flags),
    }) as unknown as CliRestClient;
  },
  async startMock({ port, log }) {
    const { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } = await import("../../mock/xt.js");
    const mock = await startXtMock({ port, log });
    const creds = envAssignments("xt", { accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY });
    return {
      urls: { url: mock.url },
      hint: `credentials: ${creds}\ntry: ${envAssignments("xt", { baseUrl: mock.url })} ${creds} npx tradeapi call xt getBalance`,
      close: () => mock.close(),
    };
  },
});
