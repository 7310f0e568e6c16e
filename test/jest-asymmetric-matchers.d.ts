/// <reference types="jest" />
// @types/jest types the asymmetric matchers (`expect.any(Number)`, `expect.stringMatching(/x/)`, ...) as `any`, which the
// type-aware lint (no-unsafe-assignment / no-unsafe-return) reports wherever a test nests one in an expected object.
// These overloads give them a real type. Declared after @types/jest (the reference above), they are merged in front of
// its `any` signatures, so they are the ones chosen; the no-unsafe-* rules keep watching every other `any` in the tests.
declare namespace jest {
  interface Expect {
    anything(): AsymmetricMatcher;
    any(classType: unknown): AsymmetricMatcher;
    arrayContaining(arr: readonly unknown[]): AsymmetricMatcher;
    closeTo(num: number, numDigits?: number): AsymmetricMatcher;
    objectContaining(obj: object): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
  }
  interface InverseAsymmetricMatchers {
    arrayContaining(arr: readonly unknown[]): AsymmetricMatcher;
    objectContaining(obj: object): AsymmetricMatcher;
    stringMatching(str: string | RegExp): AsymmetricMatcher;
    stringContaining(str: string): AsymmetricMatcher;
  }
}
