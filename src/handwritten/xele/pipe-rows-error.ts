import { contextOf, nameErrors, ResponseFormatError, textOf, type ErrorContext } from "../core/errors.js";

/** What is wrong with a "|" row answer (PipeRowsError's `problem`). */
export type PipeRowsProblem = "header" | "kind" | "columns" | "value" | "row-count" | "envelope" | "layout" | "encoding";

/**
 * A "|" row answer that is malformed or truncated. `line` is 1-based (0: the answer as a whole).
 * (Its own module so that the envelope reader and the row decoders can both use it.)
 */
export class PipeRowsError extends ResponseFormatError {
  /** The line the problem is on, 1-based (0: the answer as a whole). */
  readonly line: number;
  /** What is wrong (see PipeRowsProblem). */
  readonly problem: PipeRowsProblem;
  constructor(message: string, init: { line: number; problem: PipeRowsProblem; text?: string; context?: ErrorContext }) {
    init = contextOf(init);
    const text = init.text === undefined ? "" : textOf(init.text);
    super(`"|" row answer: ${typeof init.line === "number" && init.line > 0 ? `line ${init.line}: ` : ""}${textOf(message)}`, text.length > 120 ? `${text.slice(0, 120)}…` : text, init.context ?? {});
    this.line = init.line;
    this.problem = init.problem;
  }
}
nameErrors({ PipeRowsError });
