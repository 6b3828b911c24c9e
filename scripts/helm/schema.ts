/**
 * Schema checks of rendered objects. Custom resources are validated against the
 * openAPIV3Schema of the CRD that the same stack's releases install, the way the API server
 * reads it: unknown fields are errors (the server prunes them) unless the schema sets
 * x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string accepts both, nullable accepts
 * null. Built-in kinds are validated against the Kubernetes OpenAPI through the JSON schemas of
 * the npm package kubernetes-models (./validate-builtin.mjs).
 */
import { execFile } from 'node:child_process';
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
      : `${e.instancePath || '/'}: ${e.message}`,
  );
}

/** Validates built-in objects in one child node process; errors per object, in order. */
export function validateBuiltins(objects: readonly Json[]): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(REPO_ROOT, 'scripts', 'helm', 'validate-builtin.mjs')], { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`validate-builtin.mjs failed: ${stderr || error.message}`));
      const results = JSON.parse(stdout) as Array<{ index: number; errors: string[] }>;
      resolve(results.map((r) => r.errors));
    });
    child.stdin!.end(JSON.stringify(objects));
  });
}

/** Whether an apiVersion belongs to Kubernetes itself (core or a *.k8s.io group, apps, batch, ...). */
export function isBuiltinApiVersion(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0];
  return ['apps', 'batch', 'autoscaling', 'policy', 'extensions'].includes(group) || /(^|\.)k8s\.io$/.test(group);
}
