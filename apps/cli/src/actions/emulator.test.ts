import { describe, expect, it } from "vitest";
import { loadEmulator } from "./emulator.js";

const missing = (
  specifier: string,
  code = "ERR_MODULE_NOT_FOUND",
  from = "/g/lib/node_modules/@awslogin/cli/dist/x.js",
) =>
  Object.assign(
    new Error(
      `Cannot find ${code === "MODULE_NOT_FOUND" ? "module" : "package"} '${specifier}' imported from ${from}`,
    ),
    { code },
  );

describe("loadEmulator (the emulator is an optional peer of the CLI)", () => {
  it("loads the installed package", async () => {
    const emulator = await loadEmulator();
    expect(typeof emulator.startEmulator).toBe("function");
  });

  it.each(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"])(
    "a missing @awslogin/emulator (%s) is NOT_INSTALLED with the command that adds it",
    async (code) => {
      const error = await loadEmulator(() => Promise.reject(missing("@awslogin/emulator", code))).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "NOT_INSTALLED" });
      expect((error as Error).message).toContain("npm install --global @awslogin/emulator");
    },
  );

  it("a dependency of the emulator that is missing is not mistaken for the emulator itself", async () => {
    await expect(
      loadEmulator(() =>
        Promise.reject(
          missing("jose", "ERR_MODULE_NOT_FOUND", "/g/lib/node_modules/@awslogin/emulator/dist/index.js"),
        ),
      ),
    ).rejects.toMatchObject({
      code: "ERR_MODULE_NOT_FOUND",
    });
  });

  it("any other failure to load is passed on as it is", async () => {
    const broken = new SyntaxError("Unexpected token");
    await expect(loadEmulator(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
