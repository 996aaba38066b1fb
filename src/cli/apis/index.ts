/** Every API the CLI serves: adding one is adding its CliApi here. */
import type { CliApi } from "../registry.js";
import { bhexCli } from "./bhex.js";
import { hubiCli } from "./hubi.js";
import { quantWsCli } from "./quant-ws.js";
import { xeleCli } from "./xele.js";
import { xtCli } from "./xt.js";

export const apis: CliApi[] = [xtCli, hubiCli, quantWsCli, bhexCli, xeleCli];
