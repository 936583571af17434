#!/usr/bin/env node
// The `labbook` command. It is a committed file rather than dist/cli/main.js itself because npm
// links a package's bin only when its target exists at install time, and dist/ is built later
// (by `prepare`): pointing the bin at dist/ left `npx labbook` missing after the first install.
'use strict';
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('labbook: the command is not built: expected kernel-lib/dist/cli/main.js. Run `npm run build` in the labbook checkout.\n');
    process.exit(2);
  }
  throw error;
}
cli.runCli(process.argv.slice(2));
