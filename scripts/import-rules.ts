/**
 * The deep-import rule: `@cdktf/provider-<name>` and `@cdktf/provider-<name>/lib` load every
 * resource class of the provider (thousands of files); import `@cdktf/provider-<name>/lib/<resource>`.
 */
const BARREL = /(?:from\s+|require\(\s*|import\(\s*)['"](@cdktf\/provider-[a-z0-9-]+(?:\/lib)?\/?)['"]/g;

/** The barrel import specifiers found in a source text. */
export function barrelImports(source: string): string[] {
  return [...source.matchAll(BARREL)].map((m) => m[1]);
}
