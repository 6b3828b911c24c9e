/**
 * Writes `schemas/kubernetes/<minor>.json`, the Kubernetes OpenAPI definitions the render tests
 * validate built-in objects against (scripts/helm/schema.ts), from a Kubernetes release's
 * OpenAPI v2 document (`api/openapi-spec/swagger.json` of its release branch) and the Go types of
 * the same release (a checkout of k8s.io/api, github.com/kubernetes/api, at its `v0.<minor>.0` tag):
 *
 *   npm run kubernetes-schema -- <swagger.json> <k8s.io/api folder> <minor> '<sources, as JSON>'
 *
 * Only what validation reads is kept: types, properties, items, maps (`additionalProperties`),
 * references, required fields, the int-or-string format, and each top-level kind's
 * group/version/kind. Descriptions, list and patch strategies go (they are most of the 3-4 MB).
 *
 * The v2 document has no enumerations: Kubernetes writes them only into its v3 documents, from
 * the `+enum` marker of a Go string type, whose values are the constants of that type in its
 * package (kube-openapi's enum generator). goEnums reads the same from k8s.io/api's sources, and
 * every property whose Go field has such a type gets them (`enum`; the items' for a list).
 *
 * The sources (where the document and the Go types came from, and the document's SHA-256) are
 * written beside the definitions; schemas/kubernetes/SOURCES.md says where each version came from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KUBERNETES_SCHEMAS_DIR, KubernetesSchema } from './helm/schema';

type Json = any;

/** One schema of the document, reduced to what validation reads. */
function reduced(schema: Json): Json {
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  if (typeof schema.$ref === 'string') out.$ref = schema.$ref;
  if (typeof schema.type === 'string') out.type = schema.type;
  if (schema.format === 'int-or-string') out.format = schema.format;
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, s]) => [name, reduced(s)]));
  if (schema.items) out.items = reduced(schema.items);
  if (schema.additionalProperties !== undefined) out.additionalProperties = typeof schema.additionalProperties === 'object' ? reduced(schema.additionalProperties) : schema.additionalProperties;
  if (Array.isArray(schema.required) && schema.required.length > 0) out.required = [...schema.required];
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  return out;
}

/** The definitions of an OpenAPI v2 document, reduced, with each kind's group/version/kind. */
export function reduceSwagger(swagger: Json): Record<string, Json> {
  const definitions: Record<string, Json> = {};
  for (const [name, schema] of Object.entries<Json>(swagger.definitions ?? {})) {
    const def = reduced(schema);
    if (Array.isArray(schema['x-kubernetes-group-version-kind'])) {
      def['x-kubernetes-group-version-kind'] = schema['x-kubernetes-group-version-kind'].map((g: Json) => ({ group: g.group, version: g.version, kind: g.kind }));
    }
    definitions[name] = def;
  }
  return definitions;
}

/** Go package paths of k8s.io/api (`core/v1`) and the Go files of each, tests and generated files left out. */
function goPackages(root: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.go') && !name.endsWith('_test.go') && !name.startsWith('zz_generated') && !name.startsWith('generated.')) {
        const pkg = relative(root, dir);
        packages.set(pkg, [...(packages.get(pkg) ?? []), readFileSync(path, 'utf8')]);
      }
    }
  };
  walk(root);
  return packages;
}

/** A Go file's imports of k8s.io/api packages: alias (or the path's last element) -> package path (`core/v1`). */
function goImports(text: string): Map<string, string> {
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(?:import\s+)?(?:(\w+)\s+)?"k8s\.io\/api\/([^"]+)"/gm)) imports.set(m[1] ?? m[2].split('/').pop()!, m[2]);
  return imports;
}

/** A Go string constant's value, or the constant it converts (`Type(v1.IPv4Protocol)`). */
type Constant = string | { readonly ref: string };

/** Where a Go field's type names an enumerated string type: `<package>.<Type>`, and whether it is a list of it. */
interface FieldType {
  readonly type: string;
  readonly list: boolean;
}

/**
 * The enumerations of k8s.io/api's Go sources, as kube-openapi's generator finds them: a string
 * type whose doc comment holds `+enum`, with the values of every constant of that type in its
 * package; and the fields that have such a type, by OpenAPI definition and JSON name.
 */
export function goEnums(packages: ReadonlyMap<string, readonly string[]>): Map<string, Map<string, { values: string[]; list: boolean }>> {
  /** The string types marked `+enum` (`<package>.<Type>`). */
  const enumTypes = new Set<string>();
  /** Every string constant (`<package>.<Name>`): its value, or the constant it converts. */
  const constants = new Map<string, Constant>();
  /** The typed constants of every type (`<package>.<Type>`), in order. */
  const typed = new Map<string, Constant[]>();
  /** Every struct (`<package>.<Type>`): its fields, and the structs it embeds inline (`json:",inline"`), whose fields are its own. */
  const structs = new Map<string, { fields: Array<{ property: string; field: FieldType }>; inline: string[] }>();
  for (const [pkg, files] of packages) {
    for (const text of files) {
      const imports = goImports(text);
      const qualified = (type: string): string | undefined => {
        const [alias, name] = type.includes('.') ? type.split('.') : [undefined, type];
        const owner = alias === undefined ? pkg : imports.get(alias);
        return owner === undefined ? undefined : `${owner}.${name}`;
      };
      const lines = text.split('\n');
      let struct: { fields: Array<{ property: string; field: FieldType }>; inline: string[] } | undefined;
      lines.forEach((line, i) => {
        const stringType = /^type (\w+) string\b/.exec(line);
        if (stringType) {
          for (let j = i - 1; j >= 0 && lines[j].startsWith('//'); j--) if (/^\/\/\s*\+enum\s*$/.test(lines[j])) enumTypes.add(`${pkg}.${stringType[1]}`);
        }
        const open = /^type (\w+) struct \{/.exec(line);
        if (open) {
          struct = { fields: [], inline: [] };
          structs.set(`${pkg}.${open[1]}`, struct);
        } else if (struct && /^\}/.test(line)) struct = undefined;
        else if (struct) {
          const embedded = /^\s+\*?((?:\w+\.)?\w+)\s+`json:",inline"/.exec(line);
          const type = embedded ? qualified(embedded[1]) : undefined;
          if (type) struct.inline.push(type);
          const m = /^\s+\w+\s+(\[\])?\*?((?:\w+\.)?\w+)\s+`json:"([^",]+)/.exec(line);
          const fieldType = m ? qualified(m[2]) : undefined;
          if (m && fieldType) struct.fields.push({ property: m[3], field: { type: fieldType, list: m[1] === '[]' } });
        }
      });
      // Constants: `Name Type = "value"`, `Name = Type("value")`, `Name = Type(OtherConst)` (another
      // constant, maybe of another package: discovery's AddressTypeIPv4 = AddressType(v1.IPv4Protocol)),
      // and untyped `Name = "value"` (which a conversion may name).
      for (const m of text.matchAll(/^\s*(?:const\s+)?(\w+)\s+(?:(\w+)\s*=\s*"([^"]*)"|=\s*(\w+)\((?:"([^"]*)"|(?:(\w+)\.)?(\w+))\))/gm)) {
        const [, name, typedAs, typedValue, converted, literal, alias, constant] = m;
        const value: Constant = typedValue ?? literal ?? { ref: `${alias === undefined ? pkg : (imports.get(alias) ?? `?${alias}`)}.${constant}` };
        constants.set(`${pkg}.${name}`, value);
        const type = `${pkg}.${typedAs ?? converted}`;
        typed.set(type, [...(typed.get(type) ?? []), value]);
      }
      for (const m of text.matchAll(/^\s*(?:const\s+)?(\w+)\s*=\s*"([^"]*)"/gm)) constants.set(`${pkg}.${m[1]}`, m[2]);
    }
  }
  // Each enumeration's values, following references to other constants; one with a member that
  // cannot be resolved is left out whole (a partial list would refuse valid values).
  const resolve = (value: Constant, depth = 0): string | undefined => (typeof value === 'string' ? value : depth > 8 || !constants.has(value.ref) ? undefined : resolve(constants.get(value.ref)!, depth + 1));
  const enumValues = new Map<string, string[]>();
  for (const type of enumTypes) {
    const values = (typed.get(type) ?? []).map((v) => resolve(v));
    if (values.length > 0 && values.every((v) => v !== undefined)) enumValues.set(type, values as string[]);
  }
  const fieldsOf = (key: string, seen: Set<string> = new Set()): Array<{ property: string; field: FieldType }> => {
    const struct = structs.get(key);
    if (!struct || seen.has(key)) return [];
    seen.add(key);
    return [...struct.fields, ...struct.inline.flatMap((inner) => fieldsOf(inner, seen))];
  };
  const out = new Map<string, Map<string, { values: string[]; list: boolean }>>();
  for (const key of structs.keys()) {
    const definition = `io.k8s.api.${key.slice(0, key.lastIndexOf('.')).replace(/\//g, '.')}.${key.slice(key.lastIndexOf('.') + 1)}`;
    for (const { property, field } of fieldsOf(key)) {
      const values = enumValues.get(field.type);
      if (!values || values.length === 0) continue;
      if (!out.has(definition)) out.set(definition, new Map());
      out.get(definition)!.set(property, { values: [...new Set(values)].sort(), list: field.list });
    }
  }
  return out;
}

/** The reduced definitions with the enumerations of `goEnums` on their properties (where the property is a string, or a list of strings). */
export function withEnums(definitions: Record<string, Json>, enums: ReturnType<typeof goEnums>): Record<string, Json> {
  for (const [definition, properties] of enums) {
    for (const [property, { values, list }] of properties) {
      const schema = definitions[definition]?.properties?.[property];
      const target = list ? schema?.items : schema;
      if (target?.type === 'string') target.enum = values;
    }
  }
  return definitions;
}

/**
 * Writes `<dir>/<minor>.json` from an OpenAPI v2 document and a k8s.io/api checkout; returns the
 * file written. `sources` says where both came from; the document's SHA-256 is added to it.
 */
export function writeKubernetesSchema(swaggerFile: string, api: string, minor: string, sources: Json, dir: string = KUBERNETES_SCHEMAS_DIR): string {
  const text = readFileSync(swaggerFile);
  const schema: KubernetesSchema = {
    kubernetes: minor,
    source: { ...sources, openapi: { ...sources.openapi, sha256: createHash('sha256').update(text).digest('hex') } },
    definitions: withEnums(reduceSwagger(JSON.parse(text.toString('utf8'))), goEnums(goPackages(api))),
  };
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${minor}.json`);
  writeFileSync(out, `${JSON.stringify(schema, null, 1)}\n`);
  return out;
}

function main(): void {
  const [file, api, minor, sourceJson] = process.argv.slice(2);
  if (!file || !api || !existsSync(join(api ?? '', 'core', 'v1', 'types.go')) || !/^\d+\.\d+$/.test(minor ?? '') || !sourceJson) {
    process.stderr.write(
      "usage: npm run kubernetes-schema -- <swagger.json> <k8s.io/api checkout at v0.<minor>.0> <minor, e.g. 1.35> '<sources as JSON: {\"openapi\": {repository, tag, commit, path}, \"goTypes\": {repository, tag, commit}}>'\n",
    );
    process.exit(2);
  }
  const out = writeKubernetesSchema(file, api, minor, JSON.parse(sourceJson));
  const written = JSON.parse(readFileSync(out, 'utf8')) as KubernetesSchema;
  process.stdout.write(`${out}: ${Object.keys(written.definitions).length} definitions\n`);
}

if (require.main === module) main();
