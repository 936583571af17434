#!/usr/bin/env node
// Builds labbook's native backend (kernel-lib/native, a node-addon-api addon with its own GEMM) on
// x86-64 Linux machines with AVX2 and FMA (x86-64-v3, the instruction baseline its bit-identical
// results are promised for); elsewhere says in one line why not and leaves labbook on wasm.
// Incremental: after the first configure only `make` runs, a no-op when nothing changed.
// LABBOOK_NATIVE=0 skips the build; LABBOOK_REQUIRE_NATIVE=1 turns a skip or failure into an error (CI).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(__dirname, '..', 'native');
const required = process.env.LABBOOK_REQUIRE_NATIVE === '1';
const HOW = 'build it on an x86-64 Linux machine with AVX2 and FMA, with g++ and make installed (`npm run build`)';

function skip(why) {
  const line = `labbook: native backend not built: ${why}; labbook will use wasm. To enable it, ${HOW}.`;
  if (required) {
    console.error(line + ' (LABBOOK_REQUIRE_NATIVE=1: failing)');
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

if (process.env.LABBOOK_NATIVE === '0') skip('LABBOOK_NATIVE=0');

if (process.platform !== 'linux' || process.arch !== 'x64') skip(`it is built for x86-64 Linux, this is ${process.platform} ${process.arch}`);
const flags = cpuFlags();
if (!flags.has('avx2') || !flags.has('fma')) skip('this CPU lacks AVX2 or FMA (x86-64-v3)');

const gyp = findNodeGyp();
if (gyp === null) skip('node-gyp not found (it comes with npm)');

const makefile = join(dir, 'build', 'Makefile');
const stale = !existsSync(makefile) || statSync(join(dir, 'binding.gyp')).mtimeMs > statSync(makefile).mtimeMs;
// Node's headers: where npm is set to find them, else the ones installed beside this node (so
// node-gyp never downloads them: machines behind firewalls cannot).
const nodedir = process.env.npm_config_nodedir || (existsSync('/usr/include/node/node_api.h') ? '/usr' : null);
const steps = stale ? [['configure'], ['build', '--jobs=max']] : [['build', '--jobs=max']];
for (const step of steps) {
  const result = spawnSync(gyp[0], [...gyp.slice(1), ...step, '--release', '--directory', dir, ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    skip(`node-gyp ${step[0]} failed (output above)`);
  }
}
if (stale) console.log(`labbook: native backend built (${join(dir, 'build', 'Release', 'labbook_native.node')})`);

function cpuFlags() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line ? line.split(':')[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

// npm puts its own node-gyp on PATH for scripts (and names it in npm_config_node_gyp).
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const r = spawnSync('node-gyp', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return ['node-gyp'];
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  const bundled = join(npmRoot.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return npmRoot.status === 0 && existsSync(bundled) ? [process.execPath, bundled] : null;
}
