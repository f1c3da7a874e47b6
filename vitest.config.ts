import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/setup.ts"],
    // CLI and tool tests spawn processes; a 2-core machine needs the headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
  },
});
