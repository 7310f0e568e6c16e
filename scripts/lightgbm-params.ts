/**
 * Writes config/lightgbm-parameters.json: every parameter the pinned LightGBM knows, with its aliases, as the
 * library itself reports them (LGBM_DumpParamAliases). Config loading checks `training.lightgbm` keys against it
 * without loading the native library; test/lightgbm/parameters.test.ts keeps it equal to the library's list.
 * Run after changing the pinned lightgbm in toolchain.json: `npm run lightgbm:params`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parameterAliases } from 'lightgbm-node-binding';
import { projectRoot } from '../config/project-root';
import { sortedParameters } from '../config/lightgbm-parameters';

const file = join(projectRoot(), 'config', 'lightgbm-parameters.json');
writeFileSync(file, `${JSON.stringify(sortedParameters(parameterAliases()), null, 2)}\n`);
console.log(`wrote ${file}`);
