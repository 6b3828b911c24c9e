/**
 * Renders every helm_release of a synthesized `<env>-platform` stack with real helm, the way
 * Terraform would install it: the values Terraform passes (./terraform-values.ts), the cluster's
 * Kubernetes version (the `<env>` stack's aws_eks_cluster), CRDs included (the provider's
 * skip_crds is false), and `--api-versions` for every custom resource version that the stack's
 * own releases install, so `.Capabilities.APIVersions.Has` branches render as in the cluster.
 */
import { join } from 'node:path';
import { binaries, Binaries } from './binaries';
import { ChartSource, localChart, repositoryChart } from './chart-packages';
import { parseResult, render, RenderedObject, RenderRequest, helmEnv } from './render';
import { Json, resolveTemplate, terraformValues } from './terraform-values';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const REPO = join(__dirname, '..', '..', '..');

/**
 * CRDs a published chart installs that its package here lacks (charts/crd-supplements/<chart>-<version>.json,
 * each with its source): added to that release's rendered objects when its values install CRDs.
 */
function crdSupplement(chartName: string, version: string, values: Json): RenderedObject[] {
  const file = join(REPO, 'charts', 'crd-supplements', `${chartName}-${version}.json`);
  if (!existsSync(file) || values.installCRDs === false) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as { crds: Json[] };
  return data.crds.map((object) => ({ source: `charts/crd-supplements/${chartName}-${version}.json`, object }));
}

/**
 * CRDs that something outside the platform stack installs before it is applied: an EKS managed
 * add-on of the cloud stack (charts/external-crds/<add-on>.json, each with its source). Read when
 * the cloud stack has that add-on, so the custom resources the platform stack creates of those
 * kinds are schema-checked and `.Capabilities.APIVersions` sees them as the cluster will.
 */
export function externalCrds(cloud: Json): RenderedObject[] {
  const dir = join(REPO, 'charts', 'external-crds');
  if (!existsSync(dir)) return [];
  const addons = new Set((Object.values(cloud.resource?.aws_eks_addon ?? {}) as Json[]).map((a) => String(a.addon_name)));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { addon: string; crds: Json[] };
      if (!addons.has(data.addon)) return [];
      return data.crds.map((object) => ({ source: `charts/external-crds/${f} (EKS add-on ${data.addon})`, object }));
    });
}

export interface RenderedRelease {
  /** Terraform address, `helm_release.<name>`. */
  readonly address: string;
  /** Construct path (suppressions and findings name it). */
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  /** The pinned chart name, or `local:<dir>` for the program's own charts. */
  readonly chartName: string;
  readonly chart: ChartSource;
  readonly request: RenderRequest;
  /** Rendered objects; empty when the render failed. */
  readonly objects: readonly RenderedObject[];
  /** helm's error message when the template failed. */
  readonly error?: string;
}

export interface RenderedStack {
  readonly stack: string;
  readonly kubeVersion: string;
  /** API versions the stack's releases install (CRDs), as passed to --api-versions. */
  readonly apiVersions: readonly string[];
  /** CRDs installed outside the stack before it is applied (the cloud stack's EKS add-ons). */
  readonly externalCrds: readonly RenderedObject[];
  readonly releases: readonly RenderedRelease[];
}

/** The Kubernetes version of the cluster the platform stack deploys to (`major.minor`). */
export function kubeVersionOf(cloud: Json): string {
  const clusters = Object.values(cloud.resource?.aws_eks_cluster ?? {}) as Json[];
  if (clusters.length !== 1 || !/^\d+\.\d+$/.test(String(clusters[0].version))) {
    throw new Error(`expected one aws_eks_cluster with a literal version in the cloud stack, found ${clusters.length}`);
  }
  return String(clusters[0].version);
}

/** `group/version` and `group/version/Kind` of every served version of the CRDs among `objects`. */
export function crdApiVersions(objects: readonly RenderedObject[]): string[] {
  const out = new Set<string>();
  for (const { object } of objects) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    for (const v of object.spec?.versions ?? []) {
      if (v.served === false) continue;
      out.add(`${object.spec.group}/${v.name}`);
      out.add(`${object.spec.group}/${v.name}/${object.spec.names.kind}`);
    }
  }
  return [...out].sort();
}

function usesCapabilities(chart: ChartSource): boolean {
  for (const [name, data] of chart.files) {
    if (/\.(ya?ml|tpl|txt)$/.test(name) && data.includes('APIVersions')) return true;
  }
  return false;
}

async function chartOf(release: Json, stackDir: string, bin: Binaries): Promise<{ name: string; source: ChartSource }> {
  const chart = String(release.chart);
  if (chart.startsWith('./') || chart.startsWith('/')) {
    return { name: `local:${chart.split('/')[2] ?? chart}`, source: await localChart(join(stackDir, chart)) };
  }
  if (!release.version || !release.repository) throw new Error(`helm_release ${release.name}: chart ${chart} has no pinned version and repository`);
  return { name: chart, source: await repositoryChart(chart, String(release.version), String(release.repository), bin.helm, helmEnv()) };
}

/**
 * Renders the stack twice where it matters: first with the built-in API versions only (to find
 * the CRDs the releases install), then every chart whose templates consult
 * `.Capabilities.APIVersions` again with those CRD versions added.
 */
export async function renderPlatformStack(stack: string, platform: Json, cloud: Json, stackDir: string): Promise<RenderedStack> {
  const bin = binaries();
  const kubeVersion = kubeVersionOf(cloud);
  const base = await Promise.all(
    Object.entries(platform.resource?.helm_release ?? {}).map(async ([name, cfg]) => {
      const config = cfg as Json;
      const { name: chartName, source } = await chartOf(config, stackDir, bin);
      const tv = terraformValues(config, platform);
      const request: RenderRequest = {
        release: String(resolveTemplate(String(config.name), platform).value),
        namespace: String(resolveTemplate(String(config.namespace ?? 'default'), platform).value),
        chart: source,
        values: tv.values,
        sets: tv.sets,
        kubeVersion,
        apiVersions: [],
        includeCrds: config.skip_crds !== true && config.skip_crds !== 'true',
      };
      const supplement = crdSupplement(chartName, String(config.version ?? ''), tv.values as Json);
      return { address: `helm_release.${name}`, path: String(config['//']?.metadata?.path ?? name), chartName, request, supplement };
    }),
  );
  const first = await Promise.all(base.map((b) => render(bin, b.request)));
  const external = externalCrds(cloud);
  const apiVersions = crdApiVersions([...first.flatMap((r) => parseResult(r).objects), ...base.flatMap((b) => b.supplement), ...external]);
  const releases = await Promise.all(
    base.map(async (b, i) => {
      let request = b.request;
      let result = first[i];
      if (apiVersions.length > 0 && usesCapabilities(b.request.chart)) {
        request = { ...b.request, apiVersions };
        result = await render(bin, request);
      }
      const parsed = parseResult(result);
      const objects = parsed.error ? parsed.objects : [...parsed.objects, ...b.supplement];
      return { ...b, name: request.release, namespace: request.namespace, chart: request.chart, request, objects, error: parsed.error };
    }),
  );
  return { stack, kubeVersion, apiVersions, externalCrds: external, releases };
}
