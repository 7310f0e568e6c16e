// The search attribute list is data that three places must agree on: workflows, the CLI flags, the operator API.
import { SEARCH_ATTRIBUTE_KEYS } from '../../contracts/search-attributes';
import { SEARCH_ATTRIBUTES, searchAttributeCliFlags } from '../../infra/search-attributes';

test('each key is registered under the name workflows use to set it', () => {
  for (const [property, key] of Object.entries(SEARCH_ATTRIBUTE_KEYS)) expect(key.name).toBe(property);
  expect(SEARCH_ATTRIBUTES.map((a) => a.name)).toEqual(Object.keys(SEARCH_ATTRIBUTE_KEYS));
});

test('start-dev gets one --search-attribute Name=Type flag per attribute, in the CLI type spelling', () => {
  expect(
    searchAttributeCliFlags([
      { name: 'Symbol', type: 'KEYWORD' },
      { name: 'Score', type: 'KEYWORD_LIST' },
    ]),
  ).toEqual(['--search-attribute', 'Symbol=Keyword', '--search-attribute', 'Score=KeywordList']);
  expect(searchAttributeCliFlags()).toHaveLength(2 * SEARCH_ATTRIBUTES.length);
});
