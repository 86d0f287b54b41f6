import { defineConfig } from "tsup";

export default defineConfig({
  entry: { commands: "src/commands.ts" },
  format: ["esm"],
  dts: false,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: false,
});
