/**
 * Writes `schemas/kubernetes/<minor>.json`, the Kubernetes OpenAPI definitions the render tests
 * validate built-in objects against (scripts/helm/schema.ts), from a Kubernetes release's
 * OpenAPI v2 document (`api/openapi-spec/swagger.json` of its release branch):
 *
 *   npm run kubernetes-schema -- <swagger.json> <minor> '<source, as JSON>'
 *
 * Only what validation reads is kept: types, properties, items, maps (`additionalProperties`),
 * references, required fields, the int-or-string format, and each top-level kind's
 * group/version/kind. Descriptions, list and patch strategies go (they are most of the 3-4 MB).
 * The source (where the document came from and its SHA-256) is written beside the definitions;
 * schemas/kubernetes/SOURCES.md says where each vendored version came from.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

function main(): void {
  const [file, minor, sourceJson] = process.argv.slice(2);
  if (!file || !/^\d+\.\d+$/.test(minor ?? '') || !sourceJson) {
    process.stderr.write("usage: npm run kubernetes-schema -- <swagger.json> <minor, e.g. 1.35> '<source as JSON: repository, tag, commit, path>'\n");
    process.exit(2);
  }
  const text = readFileSync(file);
  const schema: KubernetesSchema = {
    kubernetes: minor,
    source: { ...JSON.parse(sourceJson), sha256: createHash('sha256').update(text).digest('hex') },
    definitions: reduceSwagger(JSON.parse(text.toString('utf8'))),
  };
  mkdirSync(KUBERNETES_SCHEMAS_DIR, { recursive: true });
  const out = join(KUBERNETES_SCHEMAS_DIR, `${minor}.json`);
  writeFileSync(out, `${JSON.stringify(schema, null, 1)}\n`);
  process.stdout.write(`${out}: ${Object.keys(schema.definitions).length} definitions\n`);
}

if (require.main === module) main();
