// The search attributes to register on the Temporal server, in the shapes the CLI and the operator API want.
import type { SearchAttributeType } from '@temporalio/common';
// Not re-exported from the package root; the SDK exports it for registering attributes (pinned 1.24.0).
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTE_KEYS, type SearchAttributeDefinition } from '../contracts/search-attributes';

/** Every custom search attribute the workflows use (names and types live in contracts/search-attributes.ts). */
export const SEARCH_ATTRIBUTES: readonly SearchAttributeDefinition[] = Object.values(SEARCH_ATTRIBUTE_KEYS);

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `--search-attribute Name=Type` pairs for `temporal server start-dev`. */
export function searchAttributeCliFlags(attributes: readonly SearchAttributeDefinition[] = SEARCH_ATTRIBUTES): string[] {
  return attributes.flatMap((a) => ['--search-attribute', `${a.name}=${CLI_TYPE_NAMES[a.type]}`]);
}

export type IndexedValueType = NonNullable<ReturnType<typeof encodeSearchAttributeIndexedValueType>>;

/** The operator API's enum value for a search attribute type. */
export function indexedValueType(type: SearchAttributeType): IndexedValueType {
  const value = encodeSearchAttributeIndexedValueType(type);
  if (value === undefined) throw new Error(`unknown search attribute type ${type}`);
  return value;
}
