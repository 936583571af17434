// labbook/vitest: notebooks as vitest tests (see README, "Notebooks as vitest tests"). A root file rather than an exports map, which would close the package's other paths.
module.exports = require('./dist/vitest');
