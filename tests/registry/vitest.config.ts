import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*.test.ts"],
    // npm installs from the local registry (and third-party packages from npm's cache or registry).
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
