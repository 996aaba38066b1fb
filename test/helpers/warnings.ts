/**
 * Process warnings a test expects (a TradeApiWarning from a failing observer): collected for
 * the test to check, and kept off the test run's output. Node prints every warning through
 * listeners of its own on `process`; they are set aside while capturing and put back after,
 * so an unexpected warning elsewhere still prints.
 */
export function captureWarnings(): { warnings: Error[]; restore: () => void } {
  const warnings: Error[] = [];
  const printers = process.listeners("warning");
  for (const p of printers) process.off("warning", p);
  const onWarning = (w: Error) => void warnings.push(w);
  process.on("warning", onWarning);
  return {
    warnings,
    restore: () => {
      process.off("warning", onWarning);
      for (const p of printers) process.on("warning", p);
    },
  };
}
