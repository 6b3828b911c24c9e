/**
 * Pods that operators create at runtime from the custom resources the stack declares: the pod
 * template each operator will produce, as far as its custom resource states it. Each view is a
 * pod spec in the API's shape holding only what the custom resource declares (pod and container
 * security contexts, the main container's resources, node selector, tolerations, affinity), so the
 * policy pack's rules judge what the program asks for. What the operator adds on its own (its
 * sidecars and init containers, probes, default security contexts where the resource leaves them
 * out) is not in the view: it cannot be known without the operator running against an API server
 * (README, Policy pack). Used at test time on the rendered custom resources (scripts/helm/suite.ts).
 */
import { renderedAsResource } from './rendered';
import { contextOf } from './engine';
import { Finding, Json, PolicyRule, PolicyTier, SuppressedFinding, Suppression } from './types';

/** The rules a view is judged by: those whose fields the custom resources expose. */
export const OPERATED_RULES: readonly string[] = ['TAI-K8S-1', 'TAI-K8S-2', 'TAI-K8S-7'];

/** One pod template an operator will create from a custom resource. */
export interface OperatedPod {
  /** `<Kind>/<name>` of the custom resource, plus `/<set>` for one of several pod sets. */
  readonly object: string;
  /** The operator that creates it. */
  readonly operator: string;
  /** Pod spec in the API's shape (camelCase), from the custom resource only. */
  readonly pod: Json;
}

type Converter = (spec: Json, name: string) => Array<{ set?: string; pod: Json }>;

/** A container as the resource declares it: its securityContext and resources, by container name. */
function container(name: string, fields: Json): Json {
  const out: Json = { name };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** ECK and prometheus-operator merge these declared containers into the ones they generate (by name). */
function merged(main: string, declared: Json[] | undefined, fields: Json): Json[] {
  const own = (declared ?? []).find((c) => c.name === main) ?? {};
  return [container(main, { ...own, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) })];
}

/** A pod template (ECK's `podTemplate`): the operator merges its own containers into it by name. */
function fromPodTemplate(template: Json | undefined, main: string): Json {
  const spec: Json = template?.spec ?? {};
  const containers: Json[] = spec.containers ?? [];
  return { ...spec, containers: containers.some((c) => c.name === main) ? containers : [...containers, { name: main }] };
}

const CONVERTERS: Readonly<Record<string, { readonly operator: string; readonly convert: Converter }>> = {
  // prometheus-operator: spec.securityContext is the pod's; spec.containers patch the generated ones.
  'monitoring.coreos.com/Prometheus': {
    operator: 'prometheus-operator',
    convert: (s) => [{ pod: { securityContext: s.securityContext, nodeSelector: s.nodeSelector, tolerations: s.tolerations, affinity: s.affinity, containers: merged('prometheus', s.containers, { resources: s.resources }) } }],
  },
  'monitoring.coreos.com/Alertmanager': {
    operator: 'prometheus-operator',
    convert: (s) => [{ pod: { securityContext: s.securityContext, nodeSelector: s.nodeSelector, tolerations: s.tolerations, affinity: s.affinity, containers: merged('alertmanager', s.containers, { resources: s.resources }) } }],
  },
  // ECK: a full pod template per node set (Elasticsearch) or per resource (Kibana, Logstash).
  'elasticsearch.k8s.elastic.co/Elasticsearch': {
    operator: 'ECK',
    convert: (s) => ((s.nodeSets ?? []) as Json[]).map((n) => ({ set: String(n.name), pod: fromPodTemplate(n.podTemplate, 'elasticsearch') })),
  },
  'kibana.k8s.elastic.co/Kibana': { operator: 'ECK', convert: (s) => [{ pod: fromPodTemplate(s.podTemplate, 'kibana') }] },
  'logstash.k8s.elastic.co/Logstash': { operator: 'ECK', convert: (s) => [{ pod: fromPodTemplate(s.podTemplate, 'logstash') }] },
  // CloudNativePG: pod and container (postgres) security contexts, resources, affinity block.
  'postgresql.cnpg.io/Cluster': {
    operator: 'CloudNativePG',
    convert: (s) => [
      {
        pod: {
          securityContext: s.podSecurityContext,
          nodeSelector: s.affinity?.nodeSelector,
          tolerations: s.affinity?.tolerations,
          containers: [container('postgres', { resources: s.resources, securityContext: s.securityContext })],
        },
      },
    ],
  },
  // Percona Server for MongoDB: per replica set, mongod and (when backups are on) the PBM agent.
  'psmdb.percona.com/PerconaServerMongoDB': {
    operator: 'Percona Server for MongoDB',
    convert: (s) =>
      ((s.replsets ?? []) as Json[]).map((rs) => ({
        set: String(rs.name),
        pod: {
          securityContext: rs.podSecurityContext,
          nodeSelector: rs.nodeSelector,
          tolerations: rs.tolerations,
          containers: [
            container('mongod', { resources: rs.resources, securityContext: rs.containerSecurityContext }),
            ...(s.backup?.enabled ? [container('backup-agent', { resources: s.backup.resources, securityContext: s.backup.containerSecurityContext })] : []),
          ],
        },
      })),
  },
};

/** The operator-created pod templates a rendered object stands for (none for other objects). */
export function operatedPods(object: Json): OperatedPod[] {
  const group = String(object.apiVersion ?? '').split('/')[0];
  const converter = CONVERTERS[`${group}/${object.kind}`];
  if (!converter) return [];
  const name = String(object.metadata?.name ?? '?');
  return converter.convert(object.spec ?? {}, name).map((v) => ({
    object: `${object.kind}/${name}${v.set ? `/${v.set}` : ''}`,
    operator: converter.operator,
    pod: JSON.parse(JSON.stringify(v.pod)) as Json, // drops undefined fields
  }));
}


export interface OperatedEvaluation {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  readonly pods: readonly OperatedPod[];
}

/**
 * The policy pack's rules that the custom resources expose (OPERATED_RULES) on every
 * operator-created pod template. A finding's path is `<release>/rendered/<Kind>/<name>[/<set>]`,
 * so `suppressRendered('<Kind>/<name>', ...)` on the release covers it.
 */
export function evaluateOperated(
  objects: ReadonlyArray<{ readonly releasePath: string; readonly object: Json }>,
  options: { readonly tier: PolicyTier; readonly rules: readonly PolicyRule[]; readonly suppressions: readonly Suppression[] },
): OperatedEvaluation {
  const rules = options.rules.filter((r) => OPERATED_RULES.includes(r.id));
  const context = contextOf({}, options.tier);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const pods: OperatedPod[] = [];
  for (const { releasePath, object } of objects) {
    for (const view of operatedPods(object)) {
      pods.push(view);
      const path = `${releasePath}/rendered/${view.object}`;
      const resource = renderedAsResource({ kind: 'Pod', metadata: { name: view.object }, spec: view.pod }, path)!;
      for (const rule of rules) {
        const result = rule.check({ ...resource, address: `operated:${view.operator}:${view.object}` }, context);
        if (result.status !== 'non-compliant') continue;
        const finding: Finding = { ruleId: rule.id, title: rule.title, path, address: `operated:${view.object}`, reason: result.reason };
        const s = options.suppressions.find((x) => x.ruleId === rule.id && (path === x.path || path.startsWith(`${x.path}/`)));
        if (s) suppressed.push({ ...finding, suppression: s });
        else findings.push(finding);
      }
    }
  }
  return { findings, suppressed, pods };
}
