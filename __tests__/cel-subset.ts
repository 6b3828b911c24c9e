/**
 * A small evaluator of the part of CEL (https://github.com/google/cel-spec) our admission policies
 * use, so tests run the expressions exactly as written against example requests: literals
 * (single- or double-quoted strings without escapes, integers, true, false, null, lists), names,
 * `a.b`, `a[b]`, `!`, `+` (strings, integers, lists), `==`, `!=`, `in`, `&&`, `||`, `c ? a : b`, `has(a.b)`, `dyn(a)`,
 * `a.all(x, p)`, `a.exists(x, p)`, `s.matches(re)`, `s.startsWith(s)`. Anything else is a parse
 * error, so an expression outside the subset fails the test instead of being misjudged.
 *
 * Run-time semantics as CEL's: a missing map key or a null dereference is an error; `&&` and `||`
 * are commutative over errors (`false && error` is false, `true || error` is true); equality is
 * deep. The admission chain denies on an error (`failurePolicy: Fail`): `admits` says so.
 * Every outcome is also checked against @bufbuild/cel, a full CEL implementation (evalCel).
 */

import { isCelError, run } from '@bufbuild/cel';

type Value = unknown;
type Node =
  | { t: 'lit'; v: Value }
  | { t: 'list'; items: Node[] }
  | { t: 'id'; name: string }
  | { t: 'member'; obj: Node; name: string }
  | { t: 'index'; obj: Node; key: Node }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'unary'; op: '!'; arg: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'cond'; c: Node; a: Node; b: Node };

export class CelError extends Error {}

const TOKEN = /\s*(?:(\d+)|('[^'\\]*'|"[^"\\]*")|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|[!.()[\],?:+]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new CelError(`unsupported syntax at ${at}: ${src.slice(at, at + 20)}`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  }
  return out;
}

/** Parses one expression of the subset. */
export function parseCel(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const take = (want?: string) => {
    const t = toks[i++];
    if (want !== undefined && t !== want) throw new CelError(`expected '${want}', got '${t}' in ${src}`);
    if (t === undefined) throw new CelError(`unexpected end of ${src}`);
    return t;
  };
  const args = (): Node[] => {
    const out: Node[] = [];
    take('(');
    if (peek() !== ')') {
      out.push(cond());
      while (peek() === ',') {
        take(',');
        out.push(cond());
      }
    }
    take(')');
    return out;
  };
  const primary = (): Node => {
    const t = take();
    if (t === '(') {
      const e = cond();
      take(')');
      return e;
    }
    if (t === '[') {
      const items: Node[] = [];
      if (peek() !== ']') {
        items.push(cond());
        while (peek() === ',') {
          take(',');
          items.push(cond());
        }
      }
      take(']');
      return { t: 'list', items };
    }
    if (/^\d+$/.test(t)) return { t: 'lit', v: Number(t) };
    if (/^['"]/.test(t)) return { t: 'lit', v: t.slice(1, -1) };
    if (t === 'true' || t === 'false') return { t: 'lit', v: t === 'true' };
    if (t === 'null') return { t: 'lit', v: null };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        if (t !== 'has' && t !== 'dyn') throw new CelError(`unsupported function ${t}`);
        return { t: 'call', fn: t, args: args() };
      }
      return { t: 'id', name: t };
    }
    throw new CelError(`unexpected '${t}' in ${src}`);
  };
  const postfix = (): Node => {
    let e = primary();
    for (;;) {
      if (peek() === '.') {
        take('.');
        const name = take();
        if (peek() === '(') {
          if (!['all', 'exists', 'matches', 'startsWith'].includes(name)) throw new CelError(`unsupported method ${name}`);
          e = { t: 'call', fn: name, target: e, args: args() };
        } else e = { t: 'member', obj: e, name };
      } else if (peek() === '[') {
        take('[');
        const key = cond();
        take(']');
        e = { t: 'index', obj: e, key };
      } else return e;
    }
  };
  const unary = (): Node => (peek() === '!' ? (take(), { t: 'unary', op: '!', arg: unary() }) : postfix());
  const additive = (): Node => {
    let l = unary();
    while (peek() === '+') {
      take();
      l = { t: 'bin', op: '+', l, r: unary() };
    }
    return l;
  };
  const relation = (): Node => {
    const l = additive();
    const op = peek();
    if (op === '==' || op === '!=' || op === 'in') {
      take();
      return { t: 'bin', op, l, r: additive() };
    }
    return l;
  };
  const and = (): Node => {
    let l = relation();
    while (peek() === '&&') {
      take();
      l = { t: 'bin', op: '&&', l, r: relation() };
    }
    return l;
  };
  const or = (): Node => {
    let l = and();
    while (peek() === '||') {
      take();
      l = { t: 'bin', op: '||', l, r: and() };
    }
    return l;
  };
  const cond = (): Node => {
    const c = or();
    if (peek() !== '?') return c;
    take('?');
    const a = cond();
    take(':');
    return { t: 'cond', c, a, b: cond() };
  };
  const e = cond();
  if (i !== toks.length) throw new CelError(`trailing '${toks[i]}' in ${src}`);
  return e;
}

const isMap = (v: Value): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v);

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => equal(x, b[k]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

function bool(v: Value): boolean {
  if (typeof v !== 'boolean') throw new CelError(`no such overload: ${JSON.stringify(v)} is not a bool`);
  return v;
}

function evaluate(n: Node, vars: Record<string, Value>): Value {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'list':
      return n.items.map((x) => evaluate(x, vars));
    case 'id':
      if (!(n.name in vars)) throw new CelError(`undeclared reference to '${n.name}'`);
      return vars[n.name];
    case 'member':
    case 'index': {
      const obj = evaluate(n.obj, vars);
      const key = n.t === 'member' ? n.name : evaluate(n.key, vars);
      if (Array.isArray(obj) && typeof key === 'number') {
        if (key < 0 || key >= obj.length) throw new CelError(`index out of range: ${key}`);
        return obj[key];
      }
      if (!isMap(obj)) throw new CelError(`no such key: ${String(key)} (on ${obj === null ? 'null' : typeof obj})`);
      if (!(String(key) in obj)) throw new CelError(`no such key: ${String(key)}`);
      return obj[String(key)];
    }
    case 'unary':
      return !bool(evaluate(n.arg, vars));
    case 'cond':
      return bool(evaluate(n.c, vars)) ? evaluate(n.a, vars) : evaluate(n.b, vars);
    case 'bin': {
      if (n.op === '&&' || n.op === '||') {
        const short = n.op === '||';
        let err: unknown;
        let l: boolean | undefined;
        try {
          l = bool(evaluate(n.l, vars));
          if (l === short) return short;
        } catch (e) {
          err = e;
        }
        const r = bool(evaluate(n.r, vars));
        if (r === short) return short;
        if (err) throw err;
        return r;
      }
      const l = evaluate(n.l, vars);
      const r = evaluate(n.r, vars);
      if (n.op === '+') {
        if (typeof l === 'string' && typeof r === 'string') return l + r;
        if (typeof l === 'number' && typeof r === 'number') return l + r;
        if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
        throw new CelError(`no such overload: ${typeof l} + ${typeof r}`);
      }
      if (n.op === '==') return equal(l, r);
      if (n.op === '!=') return !equal(l, r);
      if (Array.isArray(r)) return r.some((x) => equal(x, l));
      if (isMap(r)) return String(l) in r;
      throw new CelError(`no such overload: in ${JSON.stringify(r)}`);
    }
    case 'call': {
      if (n.fn === 'has') {
        const arg = n.args[0];
        if (n.args.length !== 1 || arg.t !== 'member') throw new CelError('has() takes one field selection');
        const obj = evaluate(arg.obj, vars);
        if (!isMap(obj)) throw new CelError(`has() on ${obj === null ? 'null' : typeof obj}`);
        return arg.name in obj;
      }
      if (n.fn === 'dyn') return evaluate(n.args[0], vars);
      const target = evaluate(n.target!, vars);
      if (n.fn === 'all' || n.fn === 'exists') {
        const v = n.args[0];
        if (v.t !== 'id') throw new CelError(`${n.fn}() takes a variable name first`);
        const items = Array.isArray(target) ? target : isMap(target) ? Object.keys(target) : undefined;
        if (!items) throw new CelError(`${n.fn}() on ${typeof target}`);
        const results = items.map((x) => bool(evaluate(n.args[1], { ...vars, [v.name]: x })));
        return n.fn === 'all' ? results.every(Boolean) : results.some(Boolean);
      }
      if (typeof target !== 'string') throw new CelError(`${n.fn}() on ${typeof target}`);
      const arg = evaluate(n.args[0], vars);
      if (typeof arg !== 'string') throw new CelError(`${n.fn}() takes a string`);
      // RE2 and JavaScript agree on the anchored patterns with classes and counts used here.
      return n.fn === 'matches' ? new RegExp(arg).test(target) : target.startsWith(arg);
    }
  }
}

/** A JSON value as @bufbuild/cel takes it: maps as Map, whole numbers as int (bigint). */
function toCel(v: Value): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v as Record<string, Value>).map(([k, x]) => [k, toCel(x)]));
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v;
}

/**
 * The outcome of `expression` by a full CEL implementation (@bufbuild/cel, of the cel-spec
 * conformance suite): a boolean, another value, or 'error' (an evaluation error, or an expression
 * it cannot parse or check).
 */
export function celSpecOutcome(expression: string, vars: Record<string, Value>): unknown {
  let result: unknown;
  try {
    result = run(expression, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, toCel(v)])) as Parameters<typeof run>[1]);
  } catch {
    return 'error';
  }
  return isCelError(result) ? 'error' : result;
}

/**
 * The value of `expression` for the variables (`object`, `oldObject`, `request`), or a CelError.
 * Every boolean outcome and every error is checked against a full CEL implementation
 * (celSpecOutcome): where this subset and CEL disagree, the test fails instead of trusting either.
 */
export function evalCel(expression: string, vars: Record<string, Value>): Value {
  let ours: Value;
  try {
    ours = evaluate(parseCel(expression), vars);
  } catch (e) {
    if (!(e instanceof CelError)) throw e;
    const spec = celSpecOutcome(expression, vars);
    if (spec !== 'error') throw new Error(`CEL disagrees on ${expression}: the subset fails (${e.message}), @bufbuild/cel gives ${String(spec)}`);
    throw e;
  }
  if (typeof ours === 'boolean') {
    const spec = celSpecOutcome(expression, vars);
    if (spec !== ours) throw new Error(`CEL disagrees on ${expression}: the subset gives ${ours}, @bufbuild/cel gives ${String(spec)}`);
  }
  return ours;
}

/** Whether a validation admits the request: true only when it evaluates to true (an error denies). */
export function admits(expression: string, vars: Record<string, Value>): boolean {
  try {
    return evalCel(expression, vars) === true;
  } catch (e) {
    if (e instanceof CelError) return false;
    throw e;
  }
}
