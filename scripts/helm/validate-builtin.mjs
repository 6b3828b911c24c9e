// Validates built-in Kubernetes objects against the JSON schemas of the npm package
// kubernetes-models (generated from the Kubernetes OpenAPI). An ES module, so it runs in its own
// node process (scripts/helm/schema.ts starts it): stdin is a JSON array of objects, stdout a JSON
// array of { index, errors } ("unknown kind" when the package has no model for the apiVersion/kind).
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (let index = 0; index < objects.length; index++) {
  const object = objects[index];
  const [group, version] = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/') : ['', object.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    results.push({ index, errors: [`unknown kind: no ${object.apiVersion} ${object.kind} in kubernetes-models`] });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ index, errors: [] });
  } catch (e) {
    const errors = Array.isArray(e.errors) ? e.errors.map((x) => `${x.instancePath || '/'} ${x.message}${x.params?.allowedValues ? ` (${x.params.allowedValues.join(', ')})` : ''}`) : [String(e.message)];
    results.push({ index, errors });
  }
}
process.stdout.write(JSON.stringify(results));
