/**
 * Schema checks of rendered objects. Custom resources are validated against the
 * openAPIV3Schema of the CRD that the same stack's releases install, the way the API server
 * reads it: unknown fields are errors (the server prunes them) unless the schema sets
 * x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string accepts both, nullable accepts
 * null. Built-in kinds are validated against the OpenAPI definitions of the cluster's Kubernetes
 * version, vendored in schemas/kubernetes/ (validateBuiltins).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './chart-packages';
import { Json } from './terraform-values';

/** The openAPIV3Schema of a CRD version as a strict JSON schema. */
export function structuralToJsonSchema(schema: Json, root = true): Json {
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, structuralToJsonSchema(s as Json, false)]));
    } else if (k === 'items' && schema['x-kubernetes-preserve-unknown-fields'] === true && typeof v === 'object' && !(v as Json).properties) {
      // a list marked preserve-unknown-fields keeps its free-form items (ECK's Logstash pipelines)
      out[k] = structuralToJsonSchema({ ...(v as Json), 'x-kubernetes-preserve-unknown-fields': true }, false);
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
      out[k] = typeof v === 'object' ? structuralToJsonSchema(v as Json, false) : v;
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      // in structural schemas these only constrain values; their properties are declared above
      out[k] = (v as Json[]).map((s) => structuralToJsonSchema({ ...s, 'x-kubernetes-preserve-unknown-fields': true }, false));
    } else if (!k.startsWith('x-kubernetes-') && k !== 'nullable' && k !== 'format' && k !== 'default' && k !== 'example') {
      out[k] = v;
    }
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [...(out.anyOf ?? []), { type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable && out.type) out.type = [out.type, 'null'].flat();
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-embedded-resource'] === true;
  if ((schema.type === 'object' || schema.properties) && !open && schema.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if (root) {
    // apiVersion, kind and metadata are validated by the API server itself, not by the CRD schema
    out.properties = { ...(out.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  }
  return out;
}

/**
 * CRD patterns are Go (RE2) regular expressions: `(?i)` prefixes become the `i` flag; a pattern
 * JavaScript cannot compile is reported instead of silently accepted.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  let f = flags;
  let p = pattern;
  if (p.includes('(?i)')) {
    p = p.split('(?i)').join('');
    f += 'i';
  }
  return new RegExp(p, f);
}

export interface CrdValidators {
  /** The validator of `group/version` + kind, or undefined when no release of the stack installs it. */
  get(apiVersion: string, kind: string): ValidateFunction | undefined;
}

/**
 * Validators for every version of the CRDs among `crds`. Compiled without ajv's code optimisation
 * passes (`optimize: false`): they only shorten the generated code, and on the CRDs a production
 * stack uses (23 schemas, some of megabytes) they were two thirds of the compile time, 10.5 s of
 * CPU instead of 3.7 s.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp as any, optimize: false } });
/** Compiled validators by schema content: every environment installs the same CRDs. */
const compiledBySchema = new Map<string, ValidateFunction>();

export function crdValidators(crds: readonly Json[]): CrdValidators {
  const schemas = new Map<string, Json>();
  for (const crd of crds) {
    for (const v of crd.spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
      if (schema) schemas.set(`${crd.spec.group}/${v.name}|${crd.spec.names.kind}`, schema);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    get(apiVersion, kind) {
      const key = `${apiVersion}|${kind}`;
      if (!schemas.has(key)) return undefined;
      if (!compiled.has(key)) {
        const text = JSON.stringify(schemas.get(key));
        if (!compiledBySchema.has(text)) compiledBySchema.set(text, ajv.compile(structuralToJsonSchema(schemas.get(key)!)));
        compiled.set(key, compiledBySchema.get(text)!);
      }
      return compiled.get(key);
    },
  };
}

/** Readable messages of an ajv validation. */
export function ajvMessages(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) =>
    e.keyword === 'additionalProperties'
      ? `${e.instancePath || '/'}: unknown field '${(e.params as Json).additionalProperty}' (the API server prunes it)`
      : e.keyword === 'enum'
        ? `${e.instancePath || '/'}: must be one of ${((e.params as Json).allowedValues as string[]).filter((v) => v !== '').join(', ')}`
        : `${e.instancePath || '/'}: ${e.message}`,
  );
}

/** Where the Kubernetes OpenAPI definitions of each minor version are kept (scripts/kubernetes-schema.ts writes them). */
export const KUBERNETES_SCHEMAS_DIR = join(REPO_ROOT, 'schemas', 'kubernetes');

/** `schemas/kubernetes/<minor>.json`: one Kubernetes version's definitions, reduced, and where they came from. */
export interface KubernetesSchema {
  readonly kubernetes: string;
  readonly source: Json;
  readonly definitions: Record<string, Json>;
}

/**
 * A quantity as the API server parses it (k8s.io/apimachinery resource.ParseQuantity): a signed
 * decimal number and a binary-SI, decimal-SI or exponent suffix. YAML may also give a number.
 */
const QUANTITY = '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$';

/** Types the API server decodes its own way, and their JSON schemas. */
const SPECIAL: Record<string, Json> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'], pattern: QUANTITY },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: ['integer', 'string'] },
};

/**
 * One OpenAPI v2 definition of Kubernetes as a strict JSON schema: an object with declared
 * properties gets `additionalProperties: false` (the API server drops an unknown field: with
 * kubectl's strict field validation it refuses it), a map keeps its value schema, and a schema
 * with neither (RawExtension, FieldsV1, apiextensions' JSON) takes anything, as the server does.
 */
export function openApiToJsonSchema(schema: Json): Json {
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') return { $ref: schema.$ref };
  if (schema.format === 'int-or-string') return SPECIAL['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  const out: Json = {};
  if (schema.type) out.type = schema.type;
  // An empty string is the zero value the API server decodes as unset (and then defaults).
  if (Array.isArray(schema.enum)) out.enum = [...new Set([...schema.enum, ''])];
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, s]) => [name, openApiToJsonSchema(s as Json)]));
  if (schema.items) out.items = openApiToJsonSchema(schema.items);
  if (schema.required) out.required = schema.required;
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = openApiToJsonSchema(schema.additionalProperties);
  else if (schema.properties && schema['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

/** A served group/version/kind of one Kubernetes version, and the definition of its objects. */
interface Kind {
  readonly definition: string;
  readonly served: boolean;
}

interface BuiltinSchemas {
  readonly version: string;
  readonly kinds: ReadonlyMap<string, Kind>;
  readonly ajv: Ajv;
}

const loaded = new Map<string, BuiltinSchemas>();

/**
 * The vendored definitions of Kubernetes `<minor>` (e.g. `1.35`), compiled on demand. A missing
 * version is an error that says what to do.
 */
function builtinSchemas(kubeVersion: string): BuiltinSchemas {
  const minor = /^(\d+\.\d+)/.exec(kubeVersion)?.[1] ?? kubeVersion;
  let schemas = loaded.get(minor);
  if (schemas) return schemas;
  const file = join(KUBERNETES_SCHEMAS_DIR, `${minor}.json`);
  if (!existsSync(file)) {
    const have = existsSync(KUBERNETES_SCHEMAS_DIR) ? readdirSync(KUBERNETES_SCHEMAS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')) : [];
    throw new Error(`no Kubernetes ${minor} schemas in schemas/kubernetes/ (it holds ${have.join(', ') || 'none'}): the cluster runs ${kubeVersion}; add that version's OpenAPI definitions with \`npm run kubernetes-schema\` (schemas/kubernetes/SOURCES.md says how)`);
  }
  const vendored = JSON.parse(readFileSync(file, 'utf8')) as KubernetesSchema;
  const definitions: Record<string, Json> = {};
  const kinds = new Map<string, Kind>();
  for (const [name, def] of Object.entries(vendored.definitions)) {
    definitions[name] = SPECIAL[name] ?? openApiToJsonSchema(def);
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>) {
      // Every group/version lists the shared meta types (DeleteOptions, WatchEvent): not kinds of that group.
      if (!name.startsWith(`io.k8s.api.`) && !name.startsWith('io.k8s.kube-aggregator.') && !name.startsWith('io.k8s.apiextensions-apiserver.')) continue;
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      // Alpha APIs are off unless a cluster enables them (EKS does not), and so are the beta APIs
      // of this spec: every one arrived after Kubernetes 1.24, since when a new beta API is off
      // by default (KEP-3136). Only stable versions are served.
      kinds.set(`${apiVersion}|${gvk.kind}`, { definition: name, served: /^v\d+$/.test(gvk.version) });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });
  ajv.addSchema({ $id: 'k8s', definitions }, 'k8s');
  schemas = { version: vendored.kubernetes, kinds, ajv };
  loaded.set(minor, schemas);
  return schemas;
}

/**
 * The object as the API server decodes it: a null field is an unset one (Go's JSON decoding
 * leaves it zero; a required field then fails as missing), and a YAML timestamp is its text.
 */
function decoded(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) return value.map(decoded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, decoded(v)]));
  return value;
}

/**
 * Validates built-in objects against the OpenAPI of the cluster's Kubernetes version
 * (schemas/kubernetes/<minor>.json): the kind must be served in that version (stable API
 * versions only), and the object must match its schema: types, required fields, no unknown field.
 * Errors per object, in order.
 */
export function validateBuiltins(objects: readonly Json[], kubeVersion: string): string[][] {
  const schemas = builtinSchemas(kubeVersion);
  const validate = (object: Json): string[] => {
    // A `v1 List` is not an API kind: kubectl and Helm apply each of its items.
    if (object.apiVersion === 'v1' && object.kind === 'List') {
      if (!Array.isArray(object.items)) return ['/items: a List needs a list of items'];
      return object.items.flatMap((item: Json, i: number) => validate(item).map((e) => `/items/${i}${e.startsWith('/') ? e : ` ${e}`}`));
    }
    const kind = schemas.kinds.get(`${object.apiVersion}|${object.kind}`);
    if (!kind) return [`Kubernetes ${schemas.version} has no ${object.apiVersion} ${object.kind}`];
    if (!kind.served) return [`${object.apiVersion} ${object.kind} is not served by Kubernetes ${schemas.version} by default (alpha and beta API versions are off); use a stable version`];
    const check = schemas.ajv.getSchema(`k8s#/definitions/${kind.definition}`)!;
    return check(decoded(object)) ? [] : ajvMessages(check);
  };
  return objects.map(validate);
}

/** Whether an apiVersion belongs to Kubernetes itself (core or a *.k8s.io group, apps, batch, ...). */
export function isBuiltinApiVersion(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0];
  return ['apps', 'batch', 'autoscaling', 'policy', 'extensions'].includes(group) || /(^|\.)k8s\.io$/.test(group);
}
