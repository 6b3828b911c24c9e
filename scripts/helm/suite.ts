/**
 * Everything the render tests check, computed once per process: every environment's stacks are
 * synthesized (assets included), each `<env>-platform` stack's helm_releases rendered, and the
 * rendered objects checked against schemas, each other, the stack's own kubernetes_* resources and
 * the policy pack.
 *
 * The synth is the whole app's, from the tests' synth cache (`synthesizedApp` in
 * __tests__/synth-cache.ts, which loads `cdktf` and the program only on a miss: loading the program
 * costs about a second of CPU, which a test file that reads the cached synth never needs).
 */
import { join } from 'node:path';
import { evaluateOperated, evaluateRendered, POLICY_RULES, PolicyTier, Suppression } from '../../constructs/policy';
import { OperatedEvaluation } from '../../constructs/policy/operated';
import { RenderedEvaluation, renderedAsResource } from '../../constructs/policy/rendered';
import { podSpecOf, WORKLOAD_TYPES } from '../../constructs/policy/rules/k8s-common';
import { renderPlatformStack, RenderedStack } from './platform';
import { ajvMessages, crdValidators, isBuiltinApiVersion, validateBuiltins } from './schema';
import { Json, resolveTemplate } from './terraform-values';
import { synthesizedApp } from '../../__tests__/synth-cache';
import { readStack } from '../terraform-check';


export interface EnvironmentRender {
  readonly env: string;
  readonly tier: PolicyTier;
  readonly platform: Json;
  readonly rendered: RenderedStack;
  /** Policy suppressions recorded under the platform stack. */
  readonly suppressions: readonly Suppression[];
}

let all: Promise<EnvironmentRender[]> | undefined;

/** Synthesizes every environment and renders every platform stack (memoized). */
export function renderAll(): Promise<EnvironmentRender[]> {
  if (all) return all;
  all = (async (): Promise<EnvironmentRender[]> => {
    const { outdir, index } = synthesizedApp();
    const read = (id: string) => readStack<Json>(outdir, id);
    return Promise.all(
      index.envs.map(async ({ env, cloud, platform, tier, suppressions }) => {
        const json = read(platform);
        const rendered = await renderPlatformStack(platform, json, read(cloud), join(outdir, 'stacks', platform));
        return { env, tier, platform: json, rendered, suppressions };
      }),
    );
  })();
  return all;
}

/** Template errors by release address. */
export function templateErrors(e: EnvironmentRender): Record<string, string> {
  return Object.fromEntries(e.rendered.releases.filter((r) => r.error).map((r) => [r.path, r.error!.split('\n').slice(0, 3).join(' ')]));
}

/** Schema problems of every rendered object, keyed `<release path> <Kind>/<name>`. */
export async function schemaProblems(e: EnvironmentRender): Promise<Record<string, string[]>> {
  const objects = e.rendered.releases.flatMap((r) => r.objects.map((o) => ({ release: r, ...o })));
  const crds = crdValidators([
    ...objects.filter((o) => o.object.kind === 'CustomResourceDefinition').map((o) => o.object),
    ...e.rendered.externalCrds.map((o) => o.object),
  ]);
  const problems: Record<string, string[]> = {};
  const builtins: typeof objects = [];
  for (const o of objects) {
    const key = `${o.release.path} ${o.object.kind}/${o.object.metadata?.name}`;
    if (typeof o.object.apiVersion !== 'string' || typeof o.object.kind !== 'string') {
      problems[key] = ['no apiVersion/kind'];
      continue;
    }
    const validate = crds.get(o.object.apiVersion, o.object.kind);
    if (validate) {
      if (!validate(o.object)) problems[key] = ajvMessages(validate);
    } else if (isBuiltinApiVersion(o.object.apiVersion)) {
      builtins.push(o);
    } else {
      problems[key] = [`${o.object.apiVersion} ${o.object.kind}: no release of ${e.rendered.stack} (nor an add-on of its cloud stack) installs this CRD`];
    }
  }
  const results = validateBuiltins(builtins.map((o) => o.object), e.rendered.kubeVersion);
  results.forEach((errors, i) => {
    if (errors.length > 0) problems[`${builtins[i].release.path} ${builtins[i].object.kind}/${builtins[i].object.metadata?.name}`] = errors;
  });
  return problems;
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PriorityClass',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'PersistentVolume', 'CSIDriver',
  'RuntimeClass', 'IngressClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterIssuer',
]);

/** `Kind` of a kubernetes provider resource type (`kubernetes_config_map_v1` -> ConfigMap). */
export function kindOfType(type: string): string {
  return type
    .replace(/^kubernetes_/, '')
    .replace(/_v\d+(beta\d+)?$/, '')
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** Objects declared more than once: by two releases, or by a release and a kubernetes_* resource. */
export function ownershipConflicts(e: EnvironmentRender): string[] {
  const owners = new Map<string, string[]>();
  const clusterScopedCrds = new Set(
    [...e.rendered.releases.flatMap((r) => r.objects), ...e.rendered.externalCrds]
      .filter((o) => o.object.kind === 'CustomResourceDefinition' && o.object.spec?.scope === 'Cluster')
      .map((o) => o.object.spec.names.kind),
  );
  const add = (kind: string, namespace: string | undefined, name: string, owner: string) => {
    const scoped = CLUSTER_SCOPED.has(kind) || clusterScopedCrds.has(kind);
    const key = `${kind} ${scoped ? '' : `${namespace}/`}${name}`;
    owners.set(key, [...(owners.get(key) ?? []), owner]);
  };
  for (const r of e.rendered.releases) {
    for (const { object } of r.objects) add(String(object.kind), object.metadata?.namespace ?? r.namespace, String(object.metadata?.name), r.path);
  }
  for (const [type, byName] of Object.entries(e.platform.resource ?? {})) {
    if (!type.startsWith('kubernetes_') || /_(labels|annotations|env|config_map_v1_data|node_taint)(_v\d+)?$/.test(type)) continue;
    for (const [name, config] of Object.entries(byName as Json)) {
      const meta = Array.isArray(config.metadata) ? config.metadata[0] : config.metadata;
      if (!meta?.name) continue;
      const literal = (v: unknown) => (v === undefined ? undefined : String(resolveTemplate(String(v), e.platform).value));
      add(kindOfType(type), literal(meta.namespace), literal(meta.name)!, `${type}.${name}`);
    }
  }
  return [...owners].filter(([, o]) => o.length > 1).map(([key, o]) => `${key}: ${o.join(' and ')}`);
}

/** The policy pack's Kubernetes rules on every rendered workload. */
export function renderedPolicy(e: EnvironmentRender): RenderedEvaluation {
  return evaluateRendered(
    e.rendered.releases.flatMap((r) => r.objects.map((o) => ({ releasePath: r.path, object: o.object }))),
    { tier: e.tier, rules: POLICY_RULES, suppressions: e.suppressions },
  );
}

/**
 * The policy pack's rules on the pods operators will create from the stack's custom resources
 * (constructs/policy/operated.ts): non-root and no escalation, requests and limits, pool placement,
 * as far as each resource states them.
 */
export function operatedPolicy(e: EnvironmentRender): OperatedEvaluation {
  return evaluateOperated(
    e.rendered.releases.flatMap((r) => r.objects.map((o) => ({ releasePath: r.path, object: o.object }))),
    { tier: e.tier, rules: POLICY_RULES, suppressions: e.suppressions },
  );
}

/** Custom resources whose operator runs `field` pods and creates no disruption budget for them. */
const OPERATED: Readonly<Record<string, { readonly field: string; readonly podLabelValue: (name: string) => string }>> = {
  Prometheus: { field: 'replicas', podLabelValue: (n) => n },
  Alertmanager: { field: 'replicas', podLabelValue: (n) => n },
  Kibana: { field: 'count', podLabelValue: (n) => n },
  Logstash: { field: 'count', podLabelValue: (n) => n },
};

interface Budget {
  readonly where: string;
  readonly namespace: string;
  readonly matchLabels: Record<string, string>;
  readonly minAvailable?: unknown;
  readonly maxUnavailable?: unknown;
}

function subset(labels: Record<string, string>, of: Record<string, string>): boolean {
  return Object.keys(labels).length > 0 && Object.entries(labels).every(([k, v]) => of[k] === v);
}

/**
 * Disruption budgets as a node drain meets them: every rendered Deployment or StatefulSet with more
 * than one replica, and every operator-run resource with more than one pod, has a budget; no
 * budget allows zero evictions (maxUnavailable 0, or minAvailable at least the replicas it covers).
 */
export function disruptionProblems(e: EnvironmentRender): string[] {
  const literal = (v: unknown) => (v === undefined ? undefined : String(resolveTemplate(String(v), e.platform).value));
  const budgets: Budget[] = [];
  for (const r of e.rendered.releases) {
    for (const { object } of r.objects) {
      if (object.kind !== 'PodDisruptionBudget') continue;
      budgets.push({
        where: `${r.path} PodDisruptionBudget/${object.metadata?.name}`,
        namespace: object.metadata?.namespace ?? r.namespace,
        matchLabels: object.spec?.selector?.matchLabels ?? {},
        minAvailable: object.spec?.minAvailable,
        maxUnavailable: object.spec?.maxUnavailable,
      });
    }
  }
  for (const [name, config] of Object.entries((e.platform.resource?.kubernetes_pod_disruption_budget_v1 ?? {}) as Json)) {
    const meta = Array.isArray(config.metadata) ? config.metadata[0] : config.metadata;
    const spec = Array.isArray(config.spec) ? config.spec[0] : config.spec;
    const selector = Array.isArray(spec?.selector) ? spec.selector[0] : spec?.selector;
    budgets.push({
      where: `kubernetes_pod_disruption_budget_v1.${name}`,
      namespace: literal(meta?.namespace) ?? '',
      matchLabels: Object.fromEntries(Object.entries(selector?.match_labels ?? {}).map(([k, v]) => [k, literal(v)!])),
      minAvailable: spec?.min_available,
      maxUnavailable: spec?.max_unavailable,
    });
  }
  const problems: string[] = [];
  const groups: Array<{ what: string; namespace: string; replicas: number; covered: (b: Budget) => boolean }> = [];
  for (const r of e.rendered.releases) {
    for (const { object } of r.objects) {
      const namespace = object.metadata?.namespace ?? r.namespace;
      const what = `${r.path} ${object.kind}/${object.metadata?.name}`;
      if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
        const labels = object.spec?.template?.metadata?.labels ?? {};
        groups.push({ what, namespace, replicas: Number(object.spec?.replicas ?? 1), covered: (b) => subset(b.matchLabels, labels) });
      } else if (OPERATED[object.kind]) {
        const { field, podLabelValue } = OPERATED[object.kind];
        const value = podLabelValue(String(object.metadata?.name));
        groups.push({ what, namespace, replicas: Number(object.spec?.[field] ?? 1), covered: (b) => Object.values(b.matchLabels).includes(value) });
      }
    }
  }
  // The Percona operator creates each replica set's budget from the custom resource itself
  // (`spec.replsets[].podDisruptionBudget`): judged there, as a budget of `size` pods.
  for (const r of e.rendered.releases) {
    for (const { object } of r.objects) {
      if (object.kind !== 'PerconaServerMongoDB') continue;
      for (const rs of (object.spec?.replsets ?? []) as Json[]) {
        const what = `${r.path} PerconaServerMongoDB/${object.metadata?.name} replset ${rs.name}`;
        const size = Number(rs.size ?? 3);
        const pdb = rs.podDisruptionBudget as Json | undefined;
        if (size > 1 && (pdb?.maxUnavailable === undefined && pdb?.minAvailable === undefined)) {
          problems.push(`${what}: ${size} members and no podDisruptionBudget`);
        } else if (pdb && (String(pdb.maxUnavailable) === '0' || (pdb.minAvailable !== undefined && Number(pdb.minAvailable) >= size))) {
          problems.push(`${what}: its podDisruptionBudget allows no eviction of ${size} member(s): a node drain would hang`);
        }
      }
    }
  }
  for (const g of groups) {
    const covering = budgets.filter((b) => b.namespace === g.namespace && g.covered(b));
    if (g.replicas > 1 && covering.length === 0) problems.push(`${g.what}: ${g.replicas} replicas and no PodDisruptionBudget`);
    for (const b of covering) {
      const max = b.maxUnavailable === undefined ? undefined : String(b.maxUnavailable);
      const min = b.minAvailable === undefined ? undefined : String(b.minAvailable);
      if (max === '0' || max === '0%' || (min !== undefined && !min.endsWith('%') && Number(min) >= g.replicas) || min === '100%') {
        problems.push(`${b.where}: allows no eviction of ${g.what} (${g.replicas} replica(s)): a node drain would hang`);
      }
    }
  }
  return [...new Set(problems)];
}

/** Volume types the Pod Security `restricted` profile admits. */
const RESTRICTED_VOLUMES = ['config_map', 'csi', 'downward_api', 'empty_dir', 'ephemeral', 'persistent_volume_claim', 'projected', 'secret'];

/**
 * The Pod Security Standard `restricted` (as the namespace label enforces it) on one pod spec in
 * the provider's shape: what the admission controller would refuse, or [] when it admits the pod.
 */
export function restrictedViolations(pod: Json): string[] {
  const block = (v: unknown): Json => (Array.isArray(v) ? v[0] ?? {} : v && typeof v === 'object' ? (v as Json) : {});
  const list = (v: unknown): Json[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v as Json] : []);
  const truthy = (v: unknown) => v === true || v === 'true';
  const problems: string[] = [];
  const podCtx = block(pod.security_context);
  for (const k of ['host_network', 'host_pid', 'host_ipc']) if (truthy(pod[k])) problems.push(`${k} is true`);
  for (const v of list(pod.volume)) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.includes(type)) problems.push(`volume ${v.name}: ${type} is not allowed`);
  }
  const podSeccomp = block(podCtx.seccomp_profile).type;
  if (podCtx.run_as_user !== undefined && Number(podCtx.run_as_user) === 0) problems.push('pod run_as_user is 0');
  const containers = [...list(pod.init_container), ...list(pod.container), ...list(pod.ephemeral_container)];
  for (const c of containers) {
    const ctx = block(c.security_context);
    const name = `container ${c.name}`;
    if (truthy(ctx.privileged)) problems.push(`${name}: privileged`);
    if (ctx.allow_privilege_escalation !== false && ctx.allow_privilege_escalation !== 'false') problems.push(`${name}: allow_privilege_escalation is not false`);
    if (!truthy(ctx.run_as_non_root ?? podCtx.run_as_non_root)) problems.push(`${name}: run_as_non_root is not true`);
    if (ctx.run_as_user !== undefined && Number(ctx.run_as_user) === 0) problems.push(`${name}: run_as_user is 0`);
    const seccomp = block(ctx.seccomp_profile).type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${name}: seccomp profile is ${seccomp ?? 'unset'}`);
    const caps = block(ctx.capabilities);
    if (!(Array.isArray(caps.drop) ? caps.drop : []).some((d: unknown) => String(d) === 'ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    for (const add of (Array.isArray(caps.add) ? caps.add : []) as string[]) if (add !== 'NET_BIND_SERVICE') problems.push(`${name}: adds capability ${add}`);
  }
  return problems;
}

/**
 * Every pod the stack runs (rendered by its releases, or declared as kubernetes_* workloads) in a
 * namespace whose `pod-security.kubernetes.io/enforce` label is `restricted`, checked against that
 * profile: what the API server would refuse to create. Keyed `<where>`.
 */
export function podSecurityProblems(e: EnvironmentRender, only?: readonly string[]): Record<string, string[]> {
  const literal = (v: unknown) => (v === undefined ? undefined : String(resolveTemplate(String(v), e.platform).value));
  const restricted = new Set<string>();
  for (const config of Object.values((e.platform.resource?.kubernetes_namespace_v1 ?? {}) as Json)) {
    const meta = Array.isArray(config.metadata) ? config.metadata[0] : config.metadata;
    if (meta?.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted') restricted.add(String(meta.name));
  }
  const inScope = (ns: string | undefined) => ns !== undefined && restricted.has(ns) && (!only || only.includes(ns));
  const problems: Record<string, string[]> = {};
  const check = (where: string, resource: { type: string; config: Json } | undefined) => {
    if (!resource) return;
    const found = restrictedViolations(podSpecOf(resource as never));
    if (found.length > 0) problems[where] = found;
  };
  for (const r of e.rendered.releases) {
    for (const { object } of r.objects) {
      const ns = object.metadata?.namespace ?? r.namespace;
      if (inScope(ns)) check(`${r.path} ${object.kind}/${object.metadata?.name}`, renderedAsResource(object, r.path));
    }
  }
  for (const [type, byName] of Object.entries(e.platform.resource ?? {})) {
    if (!WORKLOAD_TYPES.includes(type)) continue;
    for (const [name, config] of Object.entries(byName as Json)) {
      const meta = Array.isArray(config.metadata) ? config.metadata[0] : config.metadata;
      if (inScope(literal(meta?.namespace))) check(`${type}.${name}`, { type, config });
    }
  }
  return problems;
}
