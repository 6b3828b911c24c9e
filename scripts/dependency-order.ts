/**
 * First-apply ordering walker: reads a synthesized platform stack (Terraform JSON) and reports
 * every workload or release that uses a Secret, ConfigMap, service account, CRD kind, admission
 * webhook or namespace that nothing created before it in Terraform's dependency graph.
 *
 * - The graph: `depends_on` plus every `${type.name...}` reference in a resource's attributes,
 *   followed transitively. Terraform creates a resource only after everything it reaches this way.
 * - CRDs of the cloud stack's EKS add-ons (CLOUD_ADDON_PROVIDES) exist before the platform stack
 *   is applied: a use counts when it reaches the add-on's cross-stack output.
 * - Creators: Kubernetes resources create their object (namespace, Secret, ConfigMap, service
 *   account; RoleBindings grant a service account its rights; the admission policies of
 *   charts/admission-policies confine a service account). Helm releases create what their
 *   chart installs (RELEASE_PROVIDES: CRD kinds, webhooks, service accounts it makes). Objects
 *   made later, in the cluster, by an operator or a Job are listed in RUNTIME_CREATED with the
 *   release or Job that makes them: the consumer must depend on that creator (a Job only counts
 *   when Terraform waits for its completion).
 * - Users: the pod specs of Deployments, StatefulSets, DaemonSets, Jobs and CronJobs (namespace,
 *   service account, its bindings and the admission policies confining it: cluster-wide, in its namespace, and in the namespace a
 *   kubectl container acts on with `--namespace=`; secret and config-map volumes, env and envFrom,
 *   optional ones excepted; Vault agent injection and the load balancer's readiness gate are
 *   webhooks); every other namespaced Kubernetes resource (its namespace); Helm releases (their
 *   namespace, and what RELEASE_USES reads from their values: existing Secrets, service accounts
 *   they do not create, CRD kinds they instantiate).
 *
 * Pure functions on JSON, so the same check runs in tests and on `cdktf.out`.
 */

export type Json = Record<string, any>;
export type TerraformJson = { resource?: Record<string, Record<string, Json>> };

/** An object in the cluster: `Namespace/<ns>`, `Secret/<ns>/<name>`, `CRD/<Kind>`, `Webhook/<name>`... */
export type ObjectRef = string;

export interface OrderingFinding {
  /** The resource that uses the object, e.g. `kubernetes_job_v1.vault_tls-job_FEDA5B4B`. */
  readonly address: string;
  readonly path?: string;
  readonly uses: ObjectRef;
  readonly problem: string;
}

/** Objects that exist in every EKS cluster before any apply. */
export const PRE_EXISTING: readonly ObjectRef[] = ['Namespace/kube-system', 'Namespace/kube-public', 'Namespace/default', 'Namespace/kube-node-lease'];

/**
 * What each chart installs that others use (CRD kinds, admission webhooks). Keyed by chart name
 * (`chart` of the helm_release) or, for the project's own charts, `local:<folder>` (the release's
 * description, see constructs/data/local-chart-release.ts).
 */
export const RELEASE_PROVIDES: Readonly<Record<string, readonly ObjectRef[]>> = {
  'kube-prometheus-stack': [
    'CRD/ServiceMonitor',
    'CRD/PodMonitor',
    'CRD/PrometheusRule',
    'CRD/Probe',
    'CRD/ScrapeConfig',
    'CRD/AlertmanagerConfig',
    'CRD/Prometheus',
    'CRD/Alertmanager',
  ],
  'cloudnative-pg': ['CRD/Cluster', 'CRD/ScheduledBackup', 'CRD/Backup', 'CRD/Pooler', 'CRD/Database', 'Webhook/cnpg'],
  // psmdb-operator 1.22.0 installs its CRDs from crds/ (the cluster, backup and restore kinds).
  'psmdb-operator': ['CRD/PerconaServerMongoDB', 'CRD/PerconaServerMongoDBBackup', 'CRD/PerconaServerMongoDBRestore'],
  'eck-operator': ['CRD/Elasticsearch', 'CRD/Kibana', 'CRD/Logstash', 'CRD/Beat', 'Webhook/eck'],
  'aws-load-balancer-controller': ['CRD/TargetGroupBinding', 'Webhook/elbv2-pod-readiness-gate'],
  'external-secrets': ['CRD/ExternalSecret', 'CRD/SecretStore', 'CRD/ClusterSecretStore', 'Webhook/external-secrets'],
  vault: ['Webhook/vault-agent-injector'],
};

/**
 * What the cloud stack's EKS managed add-ons install before the platform stack is applied (the
 * cloud stack is applied first). A platform resource that uses one of these must reach the
 * add-on through a cross-stack reference of its own or of something created before it (e.g. the
 * VolumeSnapshotClass release reads the snapshot-controller add-on's version): then the platform
 * stack cannot be planned without the add-on's output, and the add-on exists.
 */
export const CLOUD_ADDON_PROVIDES: Readonly<Record<string, readonly ObjectRef[]>> = {
  'snapshot-controller': ['CRD/VolumeSnapshot', 'CRD/VolumeSnapshotClass', 'CRD/VolumeSnapshotContent'],
};

/**
 * Whether a resource's configuration reads an attribute of the cloud stack's add-on `addon`: its
 * cross-stack output (`cdktf synth`), or the add-on resource itself (a single-stack test synth).
 */
function readsAddonOutput(config: Json, addon: string): boolean {
  const text = JSON.stringify(config);
  return text.includes('aws_eks_addon') && new RegExp(`(cross-stack-output-aws_eks_addon|\\$\\{aws_eks_addon\\.)[A-Za-z0-9_-]*_${addon}_[A-Za-z0-9]+`).test(text);
}

/** Objects a release itself renders that others use, read from its values (the project's own charts). */
export const RELEASE_CREATES: Readonly<Record<string, (values: Json, namespace: string) => ObjectRef[]>> = {
  // charts/database-credentials: one Secret per extra database owner (password and URI).
  'local:database-credentials': (v, ns) => ((v.credentials ?? []) as Json[]).map((c) => `Secret/${ns}/${c.secretName}` as ObjectRef),
  // charts/mongodb-credentials: one Secret per MongoDB user (password and TLS URI).
  'local:mongodb-credentials': (v, ns) => ((v.users ?? []) as Json[]).map((u) => `Secret/${ns}/${u.secretName}` as ObjectRef),
  // charts/generated-secrets: the generated credentials (Chroma client tokens, Elasticsearch file-realm users).
  'local:generated-secrets': (v, ns) => ((v.secrets ?? []) as Json[]).map((s) => `Secret/${ns}/${s.name}` as ObjectRef),
  // charts/volume-snapshot-class: the cluster-scoped VolumeSnapshotClasses.
  'local:volume-snapshot-class': (v) => ((v.classes ?? []) as Json[]).map((c) => `VolumeSnapshotClass/${c.name}` as ObjectRef),
  // charts/admission-policies: each policy confines the requests of one user (a service account's
  // `system:serviceaccount:<ns>:<name>`): `Admission/<ns>/<name>`.
  'local:admission-policies': (v) =>
    ((v.policies ?? []) as Json[]).flatMap((p) => {
      const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(p.user));
      return m ? [`Admission/${m[1]}/${m[2]}` as ObjectRef] : [];
    }),
};

/**
 * Objects made at runtime, in the cluster, by an operator or a Job, with who makes them. The
 * consumer must depend on `createdBy`: the release whose custom resource the operator acts on
 * (or that generates it), or the Job that stores it.
 */
export interface RuntimeCreated {
  readonly object: ObjectRef;
  readonly createdBy: { readonly release: string } | { readonly job: string };
  readonly how: string;
}

export const RUNTIME_CREATED: readonly RuntimeCreated[] = [
  { object: 'Secret/data/postgres-app', createdBy: { release: 'postgres' }, how: 'CloudNativePG writes the owner credentials of the Cluster of release postgres' },
  { object: 'Secret/data/mongodb-ssl', createdBy: { release: 'mongodb' }, how: 'the Percona MongoDB operator generates the CA and server certificate of the PerconaServerMongoDB of release mongodb' },
  {
    object: 'Secret/logging/elasticsearch-es-elastic-user',
    createdBy: { release: 'elasticsearch' },
    how: 'ECK generates the elastic superuser of the Elasticsearch of release elasticsearch',
  },
  {
    object: 'Secret/logging/elasticsearch-es-http-certs-public',
    createdBy: { release: 'elasticsearch' },
    how: 'ECK generates the HTTP CA of the Elasticsearch of release elasticsearch',
  },
  { object: 'Secret/logging/beats-tls', createdBy: { job: 'beats-tls-bootstrap' }, how: 'the beats TLS Job generates the CA, Logstash\'s server and Filebeat\'s client certificates and stores them' },
  { object: 'Secret/vault/vault-server-tls', createdBy: { job: 'vault-tls-bootstrap' }, how: 'the Vault TLS Job generates the CA and certificate and stores them' },
  { object: 'Secret/toronto-ai/vault-ca', createdBy: { job: 'vault-publish-ca-0' }, how: 'a publisher Job copies the Vault CA into the client namespace' },
  { object: 'Secret/toronto-ai-beta/vault-ca', createdBy: { job: 'vault-publish-ca-beta' }, how: 'a publisher Job copies the Vault CA into the client namespace' },
  { object: 'Secret/data/vault-ca', createdBy: { job: 'vault-publish-ca-data' }, how: 'a publisher Job copies the Vault CA into the client namespace' },
  { object: 'Secret/vector/vault-ca', createdBy: { job: 'vault-publish-ca-vector' }, how: 'a publisher Job copies the Vault CA into the client namespace' },
];

/** Everything a release reads from its values (beyond its namespace). */
export type ReleaseUses = (values: Json, namespace: string) => ObjectRef[];

const secretRef = (ns: string, name: unknown): ObjectRef[] => (typeof name === 'string' && name !== '' ? [`Secret/${ns}/${name}`] : []);

/** Secrets referenced by `secretKeyRef`, `secret.secretName` volumes (not optional) anywhere in a values tree. */
function podSecretsIn(values: unknown, ns: string, out: ObjectRef[] = []): ObjectRef[] {
  if (Array.isArray(values)) values.forEach((v) => podSecretsIn(v, ns, out));
  else if (values && typeof values === 'object') {
    const v = values as Json;
    if (v.secretKeyRef && v.secretKeyRef.optional !== true) out.push(...secretRef(ns, v.secretKeyRef.name));
    if (v.secret && typeof v.secret === 'object' && v.secret.optional !== true) out.push(...secretRef(ns, v.secret.secretName));
    for (const [k, child] of Object.entries(v)) if (k !== 'secretKeyRef' && k !== 'secret') podSecretsIn(child, ns, out);
  }
  return out;
}

/**
 * What each chart's release uses, read from its values (an explicit, reviewed mapping), on top of
 * its namespace and the pod-level Secret references above (`secretKeyRef`, secret volumes).
 */
export const RELEASE_USES: Readonly<Record<string, ReleaseUses>> = {
  'kube-prometheus-stack': (v, ns) => [
    ...secretRef(ns, v.grafana?.admin?.existingSecret),
    ...((v.alertmanager?.alertmanagerSpec?.secrets ?? []) as string[]).flatMap((s) => secretRef(ns, s)),
    ...podSecretsIn(v.alertmanager?.alertmanagerSpec?.volumes ?? [], ns),
  ],
  'prometheus-postgres-exporter': (v, ns) => [
    ...secretRef(ns, v.config?.datasourceSecret?.name),
    ...(v.serviceMonitor?.enabled ? ['CRD/ServiceMonitor'] : []),
  ],
  'prometheus-mongodb-exporter': (v, ns) => [
    ...secretRef(ns, typeof v.existingSecret === 'object' ? v.existingSecret?.name : v.existingSecret),
    ...podSecretsIn(v.volumes ?? [], ns),
    ...(v.serviceMonitor?.enabled ? ['CRD/ServiceMonitor'] : []),
  ],
  // charts/postgres-cluster: the Cluster, its ScheduledBackups and Databases, the monitoring
  // objects; the VolumeSnapshotClass its snapshot backups name; the snapshot a restore starts from.
  'local:postgres-cluster': (v) => [
    'CRD/Cluster',
    'Webhook/cnpg',
    ...(v.monitoring?.podMonitor ? ['CRD/PodMonitor'] : []),
    ...(v.monitoring?.prometheusRule ? ['CRD/PrometheusRule'] : []),
    ...((v.scheduledBackups ?? []).length > 0 ? ['CRD/ScheduledBackup'] : []),
    ...((v.databases ?? []).length > 0 ? ['CRD/Database'] : []),
    ...(v.cluster?.backup?.volumeSnapshot?.className ? [`VolumeSnapshotClass/${v.cluster.backup.volumeSnapshot.className}`] : []),
    ...(v.cluster?.bootstrap?.recovery?.volumeSnapshots ? ['CRD/VolumeSnapshot'] : []),
  ],
  'eck-elasticsearch': () => ['CRD/Elasticsearch', 'Webhook/eck'],
  'eck-kibana': () => ['CRD/Kibana', 'Webhook/eck'],
  'eck-logstash': () => ['CRD/Logstash', 'Webhook/eck'],
  vault: (v, ns) => podSecretsIn(v.server?.volumes ?? [], ns),
  // The PerconaServerMongoDB resource, and the users' password Secrets it names.
  'psmdb-db': (v, ns) => ['CRD/PerconaServerMongoDB', ...((v.users ?? []) as Json[]).flatMap((u) => secretRef(ns, u.passwordSecretRef?.name))],
  'local:mongodb-restore': () => ['CRD/PerconaServerMongoDBRestore'],
  'local:target-group-bindings': () => ['CRD/TargetGroupBinding', 'Webhook/elbv2-pod-readiness-gate'],
  'local:synced-secrets': () => ['CRD/SecretStore', 'CRD/ExternalSecret', 'Webhook/external-secrets'],
  'local:volume-snapshot-class': () => ['CRD/VolumeSnapshotClass'],
  // Claims whose dataSource is a VolumeSnapshot (the API server accepts it only with the CRD).
  'local:restored-claims': () => ['CRD/VolumeSnapshot'],
};

const WORKLOAD_TYPES: Record<string, (config: Json) => Json> = {
  kubernetes_deployment: (c) => podSpec(first(c.spec).template),
  kubernetes_deployment_v1: (c) => podSpec(first(c.spec).template),
  kubernetes_stateful_set: (c) => podSpec(first(c.spec).template),
  kubernetes_stateful_set_v1: (c) => podSpec(first(c.spec).template),
  kubernetes_daemon_set_v1: (c) => podSpec(first(c.spec).template),
  kubernetes_daemonset: (c) => podSpec(first(c.spec).template),
  kubernetes_job: (c) => podSpec(first(c.spec).template),
  kubernetes_job_v1: (c) => podSpec(first(c.spec).template),
  kubernetes_cron_job: (c) => podSpec(first(first(first(c.spec).job_template).spec).template),
  kubernetes_cron_job_v1: (c) => podSpec(first(first(first(c.spec).job_template).spec).template),
};

function first(v: unknown): Json {
  if (Array.isArray(v)) return (v[0] ?? {}) as Json;
  return (v ?? {}) as Json;
}
function list(v: unknown): Json[] {
  if (Array.isArray(v)) return v as Json[];
  return v && typeof v === 'object' ? [v as Json] : [];
}
function podSpec(template: unknown): Json {
  const t = first(template);
  return { metadata: first(t.metadata), spec: first(t.spec) };
}

interface Resource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly config: Json;
}

const REF = /\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;

/** Direct dependencies of a resource: depends_on and `${type.name...}` references. */
export function directDependencies(config: Json): Set<string> {
  const out = new Set<string>();
  for (const d of (config.depends_on ?? []) as string[]) out.add(d);
  const walk = (v: unknown, key?: string) => {
    if (key === '//' || key === 'depends_on') return;
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) if (m[1] !== 'data' && m[1] !== 'var' && m[1] !== 'local') out.add(`${m[1]}.${m[2]}`);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config);
  return out;
}

/** The walker over one synthesized stack. */
export class DependencyGraph {
  readonly resources: Map<string, Resource> = new Map();
  private readonly direct = new Map<string, Set<string>>();
  private readonly closure = new Map<string, Set<string>>();

  constructor(json: TerraformJson) {
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const address = `${type}.${name}`;
        this.resources.set(address, { type, name, address, config });
        this.direct.set(address, directDependencies(config));
      }
    }
  }

  /** Everything Terraform creates before `address` (transitively). */
  ancestors(address: string): Set<string> {
    const cached = this.closure.get(address);
    if (cached) return cached;
    const out = new Set<string>();
    this.closure.set(address, out);
    for (const d of this.direct.get(address) ?? []) {
      out.add(d);
      for (const a of this.ancestors(d)) out.add(a);
    }
    return out;
  }

  /** A string attribute with `${type.name.metadata[0].name|namespace}` resolved to its literal. */
  resolve(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    return value.replace(/\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.(name|namespace)\}/g, (whole, type, name, attr) => {
      const r = this.resources.get(`${type}.${name}`);
      const resolved = r ? this.resolve(first(r.config.metadata)[attr]) : undefined;
      return resolved ?? whole;
    });
  }
}

/** A release's chart key in RELEASE_PROVIDES / RELEASE_USES. */
export function chartKey(config: Json): string {
  const description = typeof config.description === 'string' ? config.description : '';
  const local = /^local chart (\S+)/.exec(description);
  return local ? `local:${local[1]}` : String(config.chart);
}

function releaseValues(config: Json): Json {
  return Object.assign({}, ...((config.values ?? []) as unknown[]).map((raw) => (typeof raw === 'string' ? safeJson(raw) : raw ?? {})));
}
function safeJson(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return {};
  }
}

/** Objects a pod spec uses. */
function podUses(g: DependencyGraph, pod: Json, ns: string, namespaceLabels: Json): ObjectRef[] {
  const uses: ObjectRef[] = [];
  const spec = pod.spec;
  const sa = g.resolve(spec.service_account_name);
  if (sa && sa !== 'default') {
    uses.push(`ServiceAccount/${ns}/${sa}`, `RBAC/cluster/${ns}/${sa}`, `RBAC/${ns}/${ns}/${sa}`, `Admission/${ns}/${sa}`);
    // A kubectl container that acts on another namespace (`--namespace=X`) needs its binding there.
    for (const c of [...list(spec.container), ...list(spec.init_container)]) {
      for (const a of [...((c.args ?? []) as unknown[]), ...((c.command ?? []) as unknown[])]) {
        const m = /^--namespace=(.+)$/.exec(g.resolve(a) ?? '');
        if (m && m[1] !== ns) uses.push(`RBAC/${m[1]}/${ns}/${sa}`);
      }
    }
  }
  for (const v of list(spec.volume)) {
    const secret = first(v.secret);
    if (secret.secret_name && secret.optional !== true) uses.push(`Secret/${ns}/${g.resolve(secret.secret_name)}`);
    const cm = first(v.config_map);
    if (cm.name && cm.optional !== true) uses.push(`ConfigMap/${ns}/${g.resolve(cm.name)}`);
  }
  for (const c of [...list(spec.container), ...list(spec.init_container)]) {
    for (const e of list(c.env)) {
      const from = first(e.value_from);
      const s = first(from.secret_key_ref);
      if (s.name && s.optional !== true) uses.push(`Secret/${ns}/${g.resolve(s.name)}`);
      const m = first(from.config_map_key_ref);
      if (m.name && m.optional !== true) uses.push(`ConfigMap/${ns}/${g.resolve(m.name)}`);
    }
    for (const e of list(c.env_from)) {
      const s = first(e.secret_ref);
      if (s.name && s.optional !== true) uses.push(`Secret/${ns}/${g.resolve(s.name)}`);
      const m = first(e.config_map_ref);
      if (m.name && m.optional !== true) uses.push(`ConfigMap/${ns}/${g.resolve(m.name)}`);
    }
  }
  const annotations = pod.metadata.annotations ?? {};
  if (annotations['vault.hashicorp.com/agent-inject'] === 'true') {
    uses.push('Webhook/vault-agent-injector');
    if (annotations['vault.hashicorp.com/tls-secret']) uses.push(`Secret/${ns}/${annotations['vault.hashicorp.com/tls-secret']}`);
  }
  if (namespaceLabels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled') uses.push('Webhook/elbv2-pod-readiness-gate');
  return uses;
}

/** Every finding in one synthesized stack. An empty list means every use has a creator before it. */
export function findOrderingProblems(json: TerraformJson): OrderingFinding[] {
  return analyseOrdering(json).findings;
}

/** The walk itself: what each resource uses (by address), and the findings. */
export function analyseOrdering(json: TerraformJson): { uses: Map<string, ObjectRef[]>; findings: OrderingFinding[] } {
  const g = new DependencyGraph(json);
  const all = [...g.resources.values()];

  // ---- creators
  const creators = new Map<ObjectRef, Set<string>>();
  const add = (ref: ObjectRef, address: string) => creators.set(ref, new Set([...(creators.get(ref) ?? []), address]));
  const namespaceLabels = new Map<string, Json>();
  const jobs = new Map<string, Resource>();
  const releases = new Map<string, Resource[]>();
  for (const r of all) {
    const meta = first(r.config.metadata);
    const name = g.resolve(meta.name);
    const ns = g.resolve(meta.namespace);
    if (/^kubernetes_namespace(_v1)?$/.test(r.type) && name) {
      add(`Namespace/${name}`, r.address);
      namespaceLabels.set(name, meta.labels ?? {});
    }
    if (/^kubernetes_secret(_v1)?$/.test(r.type)) add(`Secret/${ns}/${name}`, r.address);
    if (/^kubernetes_config_map(_v1)?$/.test(r.type)) add(`ConfigMap/${ns}/${name}`, r.address);
    if (/^kubernetes_service_account(_v1)?$/.test(r.type)) add(`ServiceAccount/${ns}/${name}`, r.address);
    if (/^kubernetes_(cluster_)?role_binding(_v1)?$/.test(r.type)) {
      // Keyed by where the binding grants (its namespace, or `cluster`) and whom.
      const where = r.type.includes('cluster_role_binding') ? 'cluster' : ns;
      for (const s of list(r.config.subject)) {
        if (s.kind === 'ServiceAccount') add(`RBAC/${where}/${g.resolve(s.namespace)}/${g.resolve(s.name)}`, r.address);
      }
    }
    if (/^kubernetes_job(_v1)?$/.test(r.type) && name) jobs.set(name, r);
    if (r.type === 'helm_release') {
      releases.set(String(r.config.name), [...(releases.get(String(r.config.name)) ?? []), r]);
      for (const ref of RELEASE_PROVIDES[chartKey(r.config)] ?? []) add(ref, r.address);
      const creates = RELEASE_CREATES[chartKey(r.config)];
      for (const ref of creates ? creates(releaseValues(r.config), g.resolve(r.config.namespace) ?? 'default') : []) add(ref, r.address);
    }
  }
  const rbacBindings = (ref: ObjectRef) => creators.get(ref) ?? new Set<string>();

  // ---- uses
  const uses = new Map<string, ObjectRef[]>();
  for (const r of all) {
    const meta = first(r.config.metadata);
    const out: ObjectRef[] = [];
    if (r.type === 'helm_release') {
      const ns = g.resolve(r.config.namespace) ?? 'default';
      out.push(`Namespace/${ns}`);
      const values = releaseValues(r.config);
      const mapped = RELEASE_USES[chartKey(r.config)];
      out.push(...(mapped ? mapped(values, ns) : []), ...podSecretsIn(values, ns));
    } else if (r.type.startsWith('kubernetes_')) {
      const ns = g.resolve(meta.namespace);
      if (ns) out.push(`Namespace/${ns}`);
      const pod = WORKLOAD_TYPES[r.type]?.(r.config);
      if (pod && ns) out.push(...podUses(g, pod, ns, namespaceLabels.get(ns) ?? {}));
    }
    uses.set(r.address, [...new Set(out)]);
  }

  // ---- check
  const findings: OrderingFinding[] = [];
  for (const r of all) {
    const before = g.ancestors(r.address);
    for (const ref of uses.get(r.address) ?? []) {
      if (PRE_EXISTING.includes(ref)) continue;
      const report = (problem: string) => findings.push({ address: r.address, path: r.config['//']?.metadata?.path, uses: ref, problem });
      if (ref.startsWith('RBAC/')) {
        // Every binding of the service account exists before its pods: a pod that starts first
        // runs without the rights (a Job with few retries fails for good).
        for (const b of rbacBindings(ref)) if (!before.has(b)) report(`its service account is bound by ${b}, which is not created before it`);
        continue;
      }
      if (ref.startsWith('Admission/')) {
        // An admission policy that confines the service account exists before its pods: a pod
        // that starts first holds its RBAC rights unconfined. (No policy: nothing to wait for.)
        for (const p of rbacBindings(ref)) if (!before.has(p)) report(`its service account is confined by the admission policies of ${p}, which are not created before it`);
        continue;
      }
      const made = creators.get(ref) ?? new Set<string>();
      if (made.has(r.address) || [...made].some((c) => before.has(c))) continue;
      const addon = Object.entries(CLOUD_ADDON_PROVIDES).find(([, refs]) => refs.includes(ref))?.[0];
      if (addon) {
        const reaches = [r.address, ...before].some((a) => {
          const res = g.resources.get(a);
          return res !== undefined && readsAddonOutput(res.config, addon);
        });
        if (!reaches) report(`${ref} is installed by the cloud stack's EKS add-on ${addon}; read its output (e.g. its version) here or in something created before it`);
        continue;
      }
      const runtime = RUNTIME_CREATED.find((x) => x.object === ref);
      if (runtime) {
        if ('release' in runtime.createdBy) {
          const creator = releases.get(runtime.createdBy.release) ?? [];
          if (creator.some((c) => c.address === r.address || before.has(c.address))) continue;
          report(`${ref} is made at runtime (${runtime.how}); depend on helm_release ${runtime.createdBy.release}`);
        } else {
          const job = jobs.get(runtime.createdBy.job);
          if (job && before.has(job.address) && job.config.wait_for_completion === true) continue;
          report(
            job && before.has(job.address)
              ? `${ref} is stored by Job ${runtime.createdBy.job}, but Terraform does not wait for its completion (wait_for_completion)`
              : `${ref} is made at runtime (${runtime.how}); depend on Job ${runtime.createdBy.job}`,
          );
        }
        continue;
      }
      report(made.size > 0 ? `${ref} is created by ${[...made].join(', ')}, not before it` : `${ref} is created by nothing in this stack`);
    }
  }
  return { uses, findings };
}

/** One line per finding, for error messages. */
export function formatOrderingFindings(stack: string, findings: readonly OrderingFinding[]): string[] {
  return findings.map((f) => `${stack}: ${f.address}${f.path ? ` (${f.path})` : ''} uses ${f.uses}: ${f.problem}`);
}

/** CLI: `node dist/scripts/dependency-order.js [outdir]` checks every `*-platform` stack; exit 1 on a finding. */
function main(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { existsSync, readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = process.argv[2] ?? 'cdktf.out';
  const dir = join(outdir, 'stacks');
  const stacks = existsSync(dir) ? readdirSync(dir).filter((s) => s.endsWith('-platform')) : [];
  const lines = stacks.flatMap((s) =>
    formatOrderingFindings(s, findOrderingProblems(JSON.parse(readFileSync(join(dir, s, 'cdk.tf.json'), 'utf8')) as TerraformJson)),
  );
  for (const l of lines) process.stderr.write(`${l}\n`);
  process.stdout.write(`first-apply ordering: ${stacks.length} platform stack(s) checked, ${lines.length} finding(s)\n`);
  if (lines.length > 0 || stacks.length === 0) process.exit(1);
}

if (require.main === module) main();
