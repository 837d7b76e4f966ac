// confd's command line, as deploy scripts write it: Go's flag package takes
// `-onetime`, `-backend etcdv3`, `-node=http://...` with one dash. yargs
// would read `-onetime` as the short flags o, n, e, t, i, m, e; a long name
// after one dash becomes the same name after two, so confd's flags mean
// what they mean to confd.

// One dash, then a name of two or more letters (short flags such as -h stay).
const SINGLE_DASH_LONG = /^-([a-z][a-z0-9]*(?:-[a-z0-9]+)*[a-z0-9])(=.*)?$/i;

export const confdArgs = (args: readonly string[]): string[] => {
  const out: string[] = [];
  let rest = false;
  for (const arg of args) {
    if (arg === '--') rest = true;
    // Only an argument with one leading dash goes through the expression (its
    // first use costs ~0.3 ms, for arguments most runs do not have).
    const oneDash = !rest && arg.length > 2 && arg.charCodeAt(0) === 0x2d && arg.charCodeAt(1) !== 0x2d;
    const match = oneDash ? SINGLE_DASH_LONG.exec(arg) : null;
    out.push(match ? `--${match[1] ?? ''}${match[2] ?? ''}` : arg);
  }
  return out;
};
