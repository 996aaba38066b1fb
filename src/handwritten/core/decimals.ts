/**
 * Result types under the `decimals` option. The generator types every `type: number` (not
 * integer) field of a spec as `JsonDecimal`, a number with an optional brand; with
 * `decimals: "string"` such a field holds the server's text when it wrote a fraction or an
 * exponent, and a number when it wrote an integer (`5000`), so it is `string | number` there.
 * Integer fields (`type: integer`) are unaffected in every mode.
 */
import type { DecimalsMode } from "./json.js";

type Leaf = string | number | bigint | boolean | null | undefined | symbol | Uint8Array | Blob | ((...args: never[]) => unknown);

/** `T` as decoded with `decimals: D`. */
export type DecimalsAs<T, D extends DecimalsMode> = D extends "string" ? StringDecimals<T> : T;

type StringDecimals<T> = T extends number
  ? "__jsonDecimal" extends keyof T
    ? string | number
    : T
  : T extends Leaf
    ? T
    : { [K in keyof T]: StringDecimals<T[K]> };
