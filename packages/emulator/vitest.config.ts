import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The emulator uses only core's protocol constants; resolving them from source keeps these tests
  // independent of whether a sibling's in-progress build of @awslogin/core has produced dist/.
  resolve: {
    alias: { "@awslogin/core": fileURLToPath(new URL("../core/src/protocol.ts", import.meta.url)) },
  },
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 20_000 },
});
