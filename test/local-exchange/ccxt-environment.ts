/**
 * Jest environment for the suites that drive the real ccxt client.
 *
 * ccxt 4.5.84's CommonJS build requires ESM-only packages (@noble/curves, @noble/hashes), which Node 20 loads
 * natively (require(esm)) but Jest's module system cannot without transforming node_modules. This environment
 * runs outside Jest's sandbox, loads ccxt with Node's own require and hands it to the tests as `globalThis.__ccxt`
 * (see fixtures.ts). Use it with the docblock `@jest-environment ./test/local-exchange/ccxt-environment.ts`.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

export default class CcxtEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node's native require is the point here.
    this.global['__ccxt'] = require('ccxt');
  }
}
