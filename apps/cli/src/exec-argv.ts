/**
 * Where `awslogin exec`'s command starts: after `--`, else at the first word that is not one of exec's own flags.
 * Shared by the exec command and the fast path in bin/run.js; imports nothing.
 */
export function splitExecArgv(argv: readonly string[]): { own: string[]; command: string[] } {
  const dashdash = argv.indexOf("--");
  if (dashdash !== -1) return { own: argv.slice(0, dashdash), command: argv.slice(dashdash + 1) };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === "--profile" || arg === "-p") i += 2;
    else if (arg.startsWith("-")) i += 1;
    else break;
  }
  return { own: argv.slice(0, i), command: argv.slice(i) };
}
