import { nameErrors, ResponseFormatError, type ErrorContext } from "../core/errors.js";

export type PipeRowsProblem = "header" | "kind" | "columns" | "value" | "row-count" | "envelope" | "layout" | "encoding";

/**
 * A "|" row answer that is malformed or truncated. `line` is 1-based (0: the answer as a whole).
 * (Its own module so that the envelope reader and the row decoders can both use it.)
 */
export class PipeRowsError extends ResponseFormatError {
  readonly line: number;
  readonly problem: PipeRowsProblem;
  constructor(message: string, init: { line: number; problem: PipeRowsProblem; text?: string; context?: ErrorContext }) {
    super(
      `"|" row answer: ${init.line > 0 ? `line ${init.line}: ` : ""}${message}`,
      init.text === undefined ? "" : init.text.length > 120 ? `${init.text.slice(0, 120)}…` : init.text,
      init.context ?? {},
    );
    this.line = init.line;
    this.problem = init.problem;
  }
}
nameErrors({ PipeRowsError });
