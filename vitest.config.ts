import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Property tests run on fixed seeds (`npm run fuzz` on new ones): test/helpers/fc-seed.ts.
    setupFiles: ["test/setup/fast-check.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file gets its own process: emulators and sockets never leak between files.
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine,
    // where much of the suite waits on timers and sockets. Two files at a time there take
    // about 60% of the time; the timing tests compare figures measured in one process.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
