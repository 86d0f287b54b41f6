/**
 * The fast path's flag parser: dependency-free, and strict where oclif is lenient. It understands
 * `--name value`, `--name=value` and `-c value`, each flag at most once, and a value that is not empty and does
 * not start with `-`; anything else (another flag, `--help`, `--`, a bare word, `-cvalue`) answers undefined and
 * the command goes to oclif, which parses, explains and exits as it always does.
 */

/** The flags a fast command takes, by long name, with their one-letter names. */
export type FlagNames = Readonly<Record<string, { readonly char?: string }>>;

/** The flags given, by long name; undefined when the command line is anything but plain uses of `names`. */
export function parseFastFlags(
  argv: readonly string[],
  names: FlagNames,
): Record<string, string> | undefined {
  const byChar = new Map(
    Object.entries(names).flatMap(([name, { char }]) => (char === undefined ? [] : [[`-${char}`, name]])),
  );
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let name: string | undefined;
    let value: string | undefined;
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      name = arg.slice(2, equals === -1 ? undefined : equals);
      value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    } else {
      name = byChar.get(arg);
      value = argv[++i];
    }
    if (name === undefined || !Object.hasOwn(names, name) || Object.hasOwn(values, name)) return undefined;
    if (value === undefined || value === "" || value.startsWith("-")) return undefined;
    values[name] = value;
  }
  return values;
}
