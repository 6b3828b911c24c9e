/**
 * cdktf resolves every stack's Terraform JSON at least twice (each element's fragment, then the
 * whole merged document again), and its private `resolve` builds a resolution context with
 * closures for every key and every value and runs three regular expressions on every string,
 * even where nothing holds a token: about a quarter of a synth's CPU (`node --cpu-prof`).
 * `resolvePlainDataFast` replaces the module's exported `resolve` (cdktf's callers read it from
 * the module's exports at each call) with a walker that copies plain data itself and hands every
 * value it cannot prove token-free to cdktf's own `resolve`, with the options and the previous
 * context cdktf would have given it, so everything that involves a token is still cdktf's code:
 *
 * - a string is kept as it is when it holds no `TfToken[` (the marker of every string, list and
 *   map token), nothing the number-token pattern of encoding.js could match (a character of
 *   `[-|0-9.+]`, an `e`, a character of `[-|0-9.eE+]`), and is not one of the map-token values;
 * - a number when it is above -1e200 (an encoded number token is a double of about -8.1e298 to
 *   -8.4e298, top 16 bits 0xfdff; a list's about -1.9e289, 0xfbff) and is not the number
 *   map-token value; a boolean, `undefined` and `null` as they are;
 * - an array (its prototype `Array.prototype`) whose elements include no string holding
 *   `TfToken[` and no number the rule above does not clear: its elements in order, the
 *   `undefined` results left out (cdktf's `map`/`filter`; a hole gives `undefined` either way);
 * - an object whose prototype is `Object.prototype` or `null`, with no `resolve` function, no key
 *   holding `TfToken[`, and not a construct (`_children` and `_metadata`): its keys in order, each
 *   key then its value, a key resolved by cdktf when the rule for strings does not clear it, and
 *   `undefined` values left out.
 *
 * Everything else (a token, a list or map token, any other object, a function, a Date, a
 * container whose children would be deeper than cdktf's limit of 200, and a lone value at the
 * top) goes to cdktf's `resolve` whole. A full synth takes about a sixth less CPU (A/B,
 * alternating runs, three batches: 4.12 s of user+sys time on average against 4.95 s and 4.56 s
 * against 5.32 s, twelve runs each, 4.15 s against 4.92 s, eight each). The replacement is installed only over the cdktf sources it was checked
 * against (hashed below); otherwise cdktf's own stays. determinism.test.ts synthesizes once without it and proves the output
 * byte-identical, and compares the two on every kind of value cdktf's resolve distinguishes.
 * stacks/synth-shortcuts.ts installs it (for main.ts and the tests' setup); `TORONTO_AI_CDKTF_RESOLVE=1` keeps cdktf's own.
 */
import { createHash } from 'node:crypto';
import { Token } from 'cdktf';

type Options = { prefix?: string[]; previousContext?: Context; preparing?: boolean; scope?: unknown; [k: string]: unknown };
type Context = {
  preparing?: boolean;
  scope?: unknown;
  suppressBraces?: boolean;
  ignoreEscapes?: boolean;
  warnEscapes?: boolean;
  iteratorContext?: unknown;
  registerPostProcessor(pp: unknown): void;
  resolve(x: unknown): unknown;
};
type Resolve = (obj: unknown, options: Options) => unknown;

/* eslint-disable @typescript-eslint/no-require-imports */
const resolveModule = require('cdktf/lib/tokens/private/resolve') as { resolve: Resolve };
const encoding = require('cdktf/lib/tokens/private/encoding') as Record<string, unknown>;
const { mapKeyMustResolveToString } = require('cdktf/lib/errors') as { mapKeyMustResolveToString: (pathName: string, key: string, resolvedKey: unknown) => Error };
/* eslint-enable @typescript-eslint/no-require-imports */

const cdktfResolve = resolveModule.resolve;

/**
 * The sha256 of the sources this replacement was checked against (cdktf 0.21.0): the private
 * `resolve`, encoding.js's TokenString, extractTokenDouble and unresolved, and the patterns of
 * its four kinds of TokenString (string, list and map tokens, numbers in strings).
 */
const CDKTF_SOURCES_SHA256 = '11f39fcb14ce55dfb257d83691097bd1b67cb3b217dd0aade1cfacdf70f3ef16';

type TokenStrings = Record<'forString' | 'forListToken' | 'forMapToken' | 'forNumbers', (s: string) => { re: RegExp }>;

function cdktfSources(): string {
  const strings = encoding.TokenString as TokenStrings;
  const patterns = (['forString', 'forListToken', 'forMapToken', 'forNumbers'] as const).map((kind) => String(strings[kind]('').re));
  return [cdktfResolve, encoding.TokenString, encoding.extractTokenDouble, encoding.unresolved, ...patterns].map(String).join('\n');
}

/** The three markers every string, list and map token's encoding begins with (encoding.js). */
const MARKERS = ['${TfToken[', '#{TfToken[', '&{TfToken['];

/** The token marker all three share. */
const TOKEN = 'TfToken[';

/**
 * Holds whenever encoding.js's NUMBER_TOKEN_REGEX (`[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)`) finds a
 * match: one character of the first class, an `e`, one of the second is the shortest match.
 */
const NUMBER_IN_STRING = /[-|\d.+]e[-|\d.eE+]/;

/** The depth cdktf refuses to go beyond (`prefix.length > 200`: a cyclic reference). */
const MAX_DEPTH = 200;

/** Every encoded number token is below this (about -8e298, or -1.9e289 for a list; checked below). */
const TOKEN_FREE_NUMBER_FLOOR = -1e200;

/**
 * The resolution context cdktf's `makeContext` builds for a child (resolve.js), for the
 * `previousContext` of a value handed to cdktf: only its four copied fields are ever read.
 */
function childContext(options: Options, prefix: string[] | undefined): Context {
  const context: Context = {
    preparing: options.preparing,
    scope: options.scope,
    suppressBraces: options.previousContext?.suppressBraces,
    ignoreEscapes: options.previousContext?.ignoreEscapes,
    warnEscapes: options.previousContext?.warnEscapes,
    iteratorContext: options.previousContext?.iteratorContext,
    registerPostProcessor() {
      // cdktf's keeps it for a postProcess that nothing calls on a child's context
    },
    resolve(x: unknown): unknown {
      return cdktfResolve(x, { ...options, prefix, previousContext: context });
    },
  };
  return context;
}

/** cdktf's resolve of `value` as cdktf's own would call it for a child at `prefix`. */
function byCdktf(value: unknown, options: Options, prefix: string[] | undefined): unknown {
  return cdktfResolve(value, { ...options, prefix, previousContext: childContext(options, prefix) });
}

function tokenFreeString(s: string): boolean {
  return !s.includes(TOKEN) && !NUMBER_IN_STRING.test(s) && s !== Token.STRING_MAP_TOKEN_VALUE && s !== Token.ANY_MAP_TOKEN_VALUE;
}

function tokenFreeNumber(n: number): boolean {
  return n > TOKEN_FREE_NUMBER_FLOOR && n !== Token.NUMBER_MAP_TOKEN_VALUE;
}

/** What `copied` returns for a value it does not copy itself. */
const NOT_PLAIN = Symbol('not plain');

/**
 * The resolved copy of `value`, whose prefix (the path cdktf reports) is `path`, when it is a
 * plain array or object this walker copies itself (see above), or NOT_PLAIN, before any of its
 * children is resolved; `prefix` is what cdktf's options for it hold (`path`, or the caller's own
 * at the top), for its keys.
 */
function copied(value: object, options: Options, path: string[], prefix: string[] | undefined): unknown {
  if (path.length >= MAX_DEPTH) return NOT_PLAIN; // its children would be too deep: cdktf throws
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string' ? item.includes(TOKEN) : typeof item === 'number' && !tokenFreeNumber(item)) return NOT_PLAIN;
    }
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      path.push(`${i}`);
      const item = walk(value[i], options, path);
      path.pop();
      if (item !== undefined) out.push(item);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  if (typeof record.resolve === 'function') return NOT_PLAIN;
  if (record._children !== undefined && record._metadata !== undefined) return NOT_PLAIN;
  const keys = Object.keys(record);
  for (const key of keys) if (key.includes(TOKEN)) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolvedKey = tokenFreeString(key) ? key : cdktfKey(key, options, prefix === path ? path.slice() : prefix, path);
    path.push(key);
    const item = walk(record[key], options, path);
    path.pop();
    if (item === undefined) continue;
    out[resolvedKey] = item;
  }
  return out;
}

/** The resolved copy of a child at `path` (cdktf's prefix for it). */
function walk(value: unknown, options: Options, path: string[]): unknown {
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
      return value;
    case 'string':
      return tokenFreeString(value) ? value : byCdktf(value, options, path.slice());
    case 'number':
      return tokenFreeNumber(value) ? value : byCdktf(value, options, path.slice());
    case 'object': {
      if (value === null) return null;
      const out = copied(value, options, path, path);
      return out === NOT_PLAIN ? byCdktf(value, options, path.slice()) : out;
    }
    default:
      return byCdktf(value, options, path.slice());
  }
}

/**
 * A key the string rule does not clear, resolved by cdktf with the prefix of the object holding
 * it; a key that does not resolve to a string fails as cdktf's own resolve fails for it.
 */
function cdktfKey(key: string, options: Options, prefix: string[] | undefined, path: string[]): string {
  const resolved = byCdktf(key, options, prefix);
  if (typeof resolved !== 'string') throw mapKeyMustResolveToString(`/${path.join('/')}`, key, resolved);
  return resolved;
}

function fastResolve(obj: unknown, options: Options): unknown {
  if (typeof obj !== 'object' || obj === null) {
    // a lone value: what cdktf does for it is cheap enough, and it keeps the depth check
    return cdktfResolve(obj, options);
  }
  const out = copied(obj, options, options.prefix ? [...options.prefix] : [], options.prefix);
  return out === NOT_PLAIN ? cdktfResolve(obj, options) : out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The replacement mirrors the `resolve`, token markers and patterns cdktf has (see above), and
 * every encoded number token (string or list, the least and greatest index) is below the floor.
 */
export function plainResolveApplies(): boolean {
  const double = encoding.createTokenDouble as (x: number, list: boolean) => number;
  const extremes = [0, 2 ** 48 - 1].flatMap((x) => [double(x, false), double(x, true)]);
  return sha256(cdktfSources()) === CDKTF_SOURCES_SHA256
    && MARKERS.join() === [encoding.BEGIN_STRING_TOKEN_MARKER, encoding.BEGIN_LIST_TOKEN_MARKER, encoding.BEGIN_MAP_TOKEN_MARKER].join()
    && extremes.every((n) => n < TOKEN_FREE_NUMBER_FLOOR);
}

/** cdktf's resolve copies token-free plain data without its per-value contexts (see above). */
export function resolvePlainDataFast(): void {
  if (plainResolveApplies()) resolveModule.resolve = fastResolve;
}

/** cdktf's own resolve again (determinism.test.ts compares the two). */
export function resolveWithCdktf(): void {
  resolveModule.resolve = cdktfResolve;
}
