/**
 * The policy pack's Kubernetes rules applied to objects rendered by Helm charts. A rendered
 * workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ReplicaSet) is turned into the
 * shape the kubernetes provider synthesizes (snake_case, `container` / `init_container` blocks), so
 * the same rule functions judge it: one rule logic for workloads written in TypeScript and for
 * those a chart renders. Used at test time, fed by real `helm template` output
 * (scripts/helm/, __tests__/helm-render.test.ts).
 */
import { contextOf } from './engine';
import { Finding, Json, PolicyRule, PolicyTier, SuppressedFinding, Suppression, SynthResource } from './types';

/** The kubernetes provider resource type that models each rendered workload kind. */
export const RENDERED_KIND_TYPES: Readonly<Record<string, string>> = {
  Deployment: 'kubernetes_deployment_v1',
  StatefulSet: 'kubernetes_stateful_set_v1',
  DaemonSet: 'kubernetes_daemon_set_v1',
  ReplicaSet: 'kubernetes_replication_controller_v1',
  Job: 'kubernetes_job_v1',
  CronJob: 'kubernetes_cron_job_v1',
  Pod: 'kubernetes_pod_v1',
};

/** Keys the provider names differently from the API (lists of blocks are singular). */
const RENAMED: Readonly<Record<string, string>> = {
  containers: 'container',
  initContainers: 'init_container',
  ephemeralContainers: 'ephemeral_container',
  volumes: 'volume',
  tolerations: 'toleration',
  imagePullSecrets: 'image_pull_secrets',
  nodeSelectorTerms: 'node_selector_term',
};

function snake(key: string): string {
  if (RENAMED[key]) return RENAMED[key];
  if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) return key; // label keys, annotations: unchanged
  return key.replace(/([a-z0-9])([A-Z]+)/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);
}

function providerShape(value: unknown, underMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => providerShape(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // free-form maps keep their keys (labels, annotations, node selectors, resource quantities)
    const freeForm = ['labels', 'annotations', 'nodeSelector', 'matchLabels', 'requests', 'limits', 'data', 'stringData'].includes(k);
    out[underMap ? k : snake(k)] = freeForm ? v : providerShape(v);
  }
  return out;
}

/** A rendered object in the shape of the provider resource the rules read, or undefined. */
export function renderedAsResource(object: Json, path: string): SynthResource | undefined {
  const type = RENDERED_KIND_TYPES[String(object.kind)];
  if (!type) return undefined;
  const config = providerShape({ metadata: object.metadata ?? {}, spec: object.spec ?? {} }) as Json;
  const name = `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
  return { type, name, address: `rendered:${name}`, path, config };
}

/** The construct-style path of a rendered object below the release that renders it. */
export function renderedPath(releasePath: string, object: Json): string {
  return `${releasePath}/rendered/${object.kind}/${object.metadata?.name ?? '?'}`;
}

export interface RenderedEvaluation {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly workloads: number;
}

/**
 * Runs the Kubernetes workload rules on rendered objects. Each object carries the construct path
 * of its release (`renderedPath`), so a suppression on the release construct covers all it renders
 * and `suppressRendered` covers one object.
 */
export function evaluateRendered(
  objects: ReadonlyArray<{ readonly releasePath: string; readonly object: Json }>,
  options: { readonly tier: PolicyTier; readonly rules: readonly PolicyRule[]; readonly suppressions: readonly Suppression[] },
): RenderedEvaluation {
  const resources = objects.flatMap((o) => renderedAsResource(o.object, renderedPath(o.releasePath, o.object)) ?? []);
  const context = contextOf({}, options.tier);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const resource of resources) {
    for (const rule of options.rules) {
      if (rule.resourceTypes === '*' || !rule.resourceTypes.includes(resource.type)) continue;
      const result = rule.check(resource, context);
      if (result.status !== 'non-compliant') continue;
      const finding: Finding = { ruleId: rule.id, title: rule.title, path: resource.path, address: resource.address, reason: result.reason };
      const s = options.suppressions.find((x) => x.ruleId === rule.id && (resource.path === x.path || resource.path.startsWith(`${x.path}/`)));
      if (s) suppressed.push({ ...finding, suppression: s });
      else findings.push(finding);
    }
  }
  return { findings, suppressed, workloads: resources.length };
}
