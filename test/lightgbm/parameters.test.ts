/** config/lightgbm-parameters.json is what the pinned LightGBM reports about itself (regenerate: npm run lightgbm:params). */
import { parameterAliases } from 'lightgbm-node-binding';
import known from '../../config/lightgbm-parameters.json';
import { sortedParameters } from '../../config/lightgbm-parameters';

test('the committed parameter list equals the loaded library’s names and aliases', () => {
  const library = parameterAliases();
  expect(sortedParameters(library)).toEqual(known);
  expect(library.num_leaves).toEqual(expect.arrayContaining(['num_leaf', 'max_leaves']));
});
