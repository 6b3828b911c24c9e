/**
 * The wiring completeness check (issue 10): walks every declared flow (features/flows.ts) and
 * every workload in the synthesized Terraform JSON of an environment's two stacks, and reports
 *
 * - a flow missing a part: its network path (egress NetworkPolicy in the consumer's namespace,
 *   ingress NetworkPolicy in the provider's, the security-group rule it names), its identity (Pod
 *   Identity association, Vault kubernetes-auth role), its credential (IAM action in the bound
 *   role's policy, Vault policy path, mounted Secret) or its endpoint (in the consumer's
 *   configuration);
 * - a platform namespace without a default-deny NetworkPolicy;
 * - a workload that points at a service (`<svc>.<namespace>.svc`, the cache endpoint) no flow
 *   declares for its namespace;
 * - an alert rule, dashboard panel or scrape job whose namespace selector names a namespace
 *   that does not exist, or does not watch every namespace the application runs in.
 *
 * `npm run completeness` prints the report for every environment; __tests__/flows.test.ts
 * asserts it is empty and that removing a part from the JSON makes it report that part.
 *
 * The program (`../stacks/app`: every construct and provider class, about a second of CPU to
 * load) is loaded only by `main`, which synthesizes: the tests call `checkWiring` on JSON they
 * read from the synth cache.
 */
import { DEFINITIONS, validateEnvironments } from '../environments';
import { namesFor } from '../features/naming';
import { platformFlows, type Flow, type Peer } from '../features/flows';
import { withScratchFolder } from './scratch-folder';
import { readStack } from './terraform-check';

/** The program's stacks, loaded by `main` (see above). */
const program = () => require('../stacks/app') as typeof import('../stacks/app');

export type Json = Record<string, any>;

/** Namespaces that are not the platform's (EKS add-ons; see DEFAULT_DENY_NAMESPACES). */
const UNMANAGED_NAMESPACES = new Set(['kube-system']);

interface Resource {
  readonly type: string;
  readonly name: string;
  readonly path: string;
  readonly body: Json;
}

function all(json: Json, type?: string): Resource[] {
  const out: Resource[] = [];
  for (const [t, byName] of Object.entries(json.resource ?? {})) {
    if (type && t !== type) continue;
    for (const [name, body] of Object.entries(byName as Json)) {
      out.push({ type: t, name, path: String((body as Json)['//']?.metadata?.path ?? ''), body: body as Json });
    }
  }
  return out;
}

/** The text a configuration is searched in: the resource's JSON and, for Helm, its values as written. */
function text(r: Resource): string {
  return [JSON.stringify(r.body), ...(Array.isArray(r.body.values) ? r.body.values.map(String) : [])].join('\n');
}

const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The two stacks' JSON as the checks read it. Every list and searched text is computed once per
 * model (the JSON must not change while a check runs; `checkWiring` builds a new model per call):
 * recomputed per flow, resolving every resource's text was nearly all of the check's time.
 */
export class WiringModel {
  /** Namespace resource tokens -> namespace names. */
  private readonly nsTokens = new Map<string, string>();
  readonly namespaces: Set<string>;
  private platformMemo?: Resource[];
  private policiesMemo?: { namespace: string; spec: Json; name: string }[];
  private readonly cloudMemo = new Map<string, Resource[]>();
  private readonly textMemo = new Map<Resource, string>();
  private readonly resolvedMemo = new Map<Resource, string>();

  constructor(
    readonly cloud: Json,
    readonly platform: Json,
  ) {
    for (const r of all(platform, 'kubernetes_namespace_v1')) {
      const name = first(r.body.metadata)?.name as string;
      this.nsTokens.set(`\${kubernetes_namespace_v1.${r.name}.metadata[0].name}`, name);
      this.nsTokens.set(`\${kubernetes_namespace_v1.${r.name}.metadata.0.name}`, name);
    }
    this.namespaces = new Set(this.nsTokens.values());
  }

  /** `value` with namespace references replaced by the namespace names. */
  resolve(value: string): string {
    let out = value;
    for (const [token, name] of this.nsTokens) out = out.split(token).join(name);
    return out;
  }

  /** The namespace a platform resource lives in. */
  namespaceOf(r: Resource): string | undefined {
    const ns = r.type === 'helm_release' ? r.body.namespace : first(r.body.metadata)?.namespace;
    return typeof ns === 'string' ? this.resolve(ns) : undefined;
  }

  policies(): { namespace: string; spec: Json; name: string }[] {
    return (this.policiesMemo ??= all(this.platform, 'kubernetes_network_policy_v1').map((r) => ({
      namespace: this.resolve(String(first(r.body.metadata)?.namespace)),
      name: String(first(r.body.metadata)?.name),
      spec: first(r.body.spec) as Json,
    })));
  }

  platformResources(): Resource[] {
    return (this.platformMemo ??= all(this.platform));
  }

  cloudResources(type: string): Resource[] {
    if (!this.cloudMemo.has(type)) this.cloudMemo.set(type, all(this.cloud, type));
    return this.cloudMemo.get(type)!;
  }

  /** The text a resource's configuration is searched in (see `text`). */
  text(r: Resource): string {
    if (!this.textMemo.has(r)) this.textMemo.set(r, text(r));
    return this.textMemo.get(r)!;
  }

  /** That text with namespace references replaced by the namespace names. */
  resolvedText(r: Resource): string {
    if (!this.resolvedMemo.has(r)) this.resolvedMemo.set(r, this.resolve(this.text(r)));
    return this.resolvedMemo.get(r)!;
  }
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function peerMatches(entry: Json, peer: Peer, cidr: string | undefined, policyNamespace: string): boolean {
  if (peer.kind === 'pods') {
    // A peer with only a pod selector is a pod of the policy's own namespace.
    const sameNamespace = entry.namespace_selector === undefined && entry.ip_block === undefined && entry.pod_selector !== undefined;
    const ns = sameNamespace ? policyNamespace : first(entry.namespace_selector)?.match_labels?.['kubernetes.io/metadata.name'];
    return ns === peer.namespace;
  }
  return first(entry.ip_block)?.cidr === cidr;
}

function portsCover(rule: Json, flow: Flow): boolean {
  const ports = asList(rule.ports as Json[]);
  if (ports.length === 0) return true;
  return flow.ports.every((p) => ports.some((x) => String(x.port) === String(p.port) && (x.protocol ?? 'TCP') === p.protocol));
}

/**
 * Whether a policy's pod selector covers the flow's pods on this side. A flow that names its pods
 * is covered by a policy whose selector they match. A flow of the whole namespace is not covered
 * by a policy narrowed to the pods another flow names (a rule for the snapshot job does not let
 * the Vault servers out); other selectors (the application's own) cover it as before.
 */
function selects(policy: { spec: Json }, pods: Readonly<Record<string, string>> | undefined, narrowed: readonly Readonly<Record<string, string>>[]): boolean {
  const labels: Record<string, string> = first(policy.spec?.pod_selector)?.match_labels ?? {};
  if (pods) return Object.entries(labels).every(([k, v]) => pods[k] === v);
  const same = (a: Readonly<Record<string, string>>) => Object.keys(a).length === Object.keys(labels).length && Object.entries(a).every(([k, v]) => labels[k] === v);
  return !narrowed.some(same);
}

/** Whether a NetworkPolicy of `namespace` allows `direction` traffic with `peer` for the flow. */
function allowed(model: WiringModel, namespace: string, direction: 'ingress' | 'egress', peer: Peer, flow: Flow, flows: readonly Flow[]): boolean {
  const key = direction === 'ingress' ? 'from' : 'to';
  const cidrs = peer.kind === 'network' ? peer.cidrs : [undefined];
  const own = direction === 'ingress' ? flow.provider : flow.consumer;
  const ownPods = own.kind === 'pods' ? own.pods : undefined;
  const narrowed = flows.flatMap((f) => [f.consumer, f.provider]).flatMap((x) => (x.kind === 'pods' && x.namespace === namespace && x.pods ? [x.pods] : []));
  return cidrs.every((cidr) =>
    model.policies().some(
      (p) =>
        p.namespace === namespace &&
        selects(p, ownPods, narrowed) &&
        asList(p.spec?.policy_types).includes(direction === 'ingress' ? 'Ingress' : 'Egress') &&
        asList(p.spec?.[direction] as Json[]).some((rule) => asList(rule[key] as Json[]).some((e) => peerMatches(e, peer, cidr, namespace)) && portsCover(rule, flow)),
    ),
  );
}

function defaultDeny(model: WiringModel, namespace: string): boolean {
  return model.policies().some((p) => {
    const types = asList(p.spec?.policy_types);
    const selector = first(p.spec?.pod_selector);
    return (
      p.namespace === namespace &&
      types.includes('Ingress') &&
      types.includes('Egress') &&
      (selector === undefined || Object.keys(selector.match_labels ?? {}).length === 0) &&
      asList(p.spec?.ingress).length === 0 &&
      asList(p.spec?.egress).length === 0
    );
  });
}

function vaultScript(model: WiringModel): { script: string; policies: Record<string, string> } | undefined {
  const cm = model.platformResources().find((r) => r.type === 'kubernetes_config_map_v1' && typeof first(r.body.data)?.['configure.sh'] === 'string');
  if (!cm) return undefined;
  const data = first(cm.body.data) as Record<string, string>;
  const policies: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (k.startsWith('policy-')) policies[k.replace(/^policy-|\.hcl$/g, '')] = v;
  return { script: model.resolve(data['configure.sh']), policies };
}

function checkNetwork(model: WiringModel, f: Flow, flows: readonly Flow[], problems: string[]): void {
  const denied = (ns: string) => defaultDeny(model, ns);
  if (f.consumer.kind === 'pods' && !UNMANAGED_NAMESPACES.has(f.consumer.namespace) && denied(f.consumer.namespace)) {
    if (!allowed(model, f.consumer.namespace, 'egress', f.provider, f, flows)) {
      problems.push(`${f.id}: network: no NetworkPolicy in ${f.consumer.namespace} allows egress to ${describe(f.provider)} on ${ports(f)}`);
    }
  }
  if (f.provider.kind === 'pods' && !UNMANAGED_NAMESPACES.has(f.provider.namespace) && denied(f.provider.namespace)) {
    if (!allowed(model, f.provider.namespace, 'ingress', f.consumer, f, flows)) {
      problems.push(`${f.id}: network: no NetworkPolicy in ${f.provider.namespace} allows ingress from ${describe(f.consumer)} on ${ports(f)}`);
    }
  }
  if (f.securityGroupRule) {
    const rule = model.cloudResources('aws_vpc_security_group_ingress_rule').find((r) => r.path.endsWith(f.securityGroupRule!));
    const covers = rule && f.ports.every((p) => Number(rule.body.from_port) <= p.port && p.port <= Number(rule.body.to_port));
    if (!covers) problems.push(`${f.id}: network: no security-group rule ${f.securityGroupRule} opens ${ports(f)}`);
  }
}

function checkIdentity(model: WiringModel, f: Flow, problems: string[]): void {
  const id = f.identity;
  if (id.kind === 'pod-identity') {
    const found = model.cloudResources('aws_eks_pod_identity_association').some((r) => r.body.namespace === id.namespace && r.body.service_account === id.serviceAccount);
    if (!found) problems.push(`${f.id}: identity: no Pod Identity association for ${id.namespace}/${id.serviceAccount}`);
  } else if (id.kind === 'vault-role') {
    const vault = vaultScript(model);
    const line = vault?.script.split('\n').find((l) => l.startsWith(`vault write auth/kubernetes/role/${id.role} `));
    const list = (key: string) => (line?.match(new RegExp(`${key}=([^ ]+)`))?.[1] ?? '').split(',');
    if (!line || !list('bound_service_account_names').includes(id.serviceAccount) || !list('bound_service_account_namespaces').includes(id.namespace)) {
      problems.push(`${f.id}: identity: no Vault role ${id.role} bound to ${id.namespace}/${id.serviceAccount}`);
    }
  }
}

function checkCredential(model: WiringModel, f: Flow, problems: string[]): void {
  const c = f.credential;
  if (c.kind === 'iam') {
    if (f.identity.kind !== 'pod-identity') {
      problems.push(`${f.id}: credential: an IAM credential needs a Pod Identity identity`);
      return;
    }
    const id = f.identity;
    const association = model.cloudResources('aws_eks_pod_identity_association').find((r) => r.body.namespace === id.namespace && r.body.service_account === id.serviceAccount);
    const roleRef = String(association?.body.role_arn ?? '').replace(/\.arn\}$/, '');
    const actions = model
      .cloudResources('aws_iam_role_policy')
      .filter((r) => String(r.body.role).replace(/\.(id|name)\}$/, '') === roleRef)
      .flatMap((r) => (JSON.parse(r.body.policy).Statement as Json[]).filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action as string | string[])));
    if (!actions.includes(c.action)) problems.push(`${f.id}: credential: the role of ${id.namespace}/${id.serviceAccount} does not allow ${c.action}`);
  } else if (c.kind === 'vault') {
    if (f.identity.kind !== 'vault-role') {
      problems.push(`${f.id}: credential: a Vault credential needs a Vault role identity`);
      return;
    }
    const policy = vaultScript(model)?.policies[f.identity.role] ?? '';
    const capability = c.access === 'read' ? '"read"' : '"create"';
    const block = policy.split('path ').find((b) => b.startsWith(`"secret/data/${c.path}"`));
    if (!block || !block.includes(capability)) problems.push(`${f.id}: credential: Vault policy ${f.identity.role} does not ${c.access} secret/data/${c.path}`);
  } else if (c.kind === 'vault-api') {
    if (f.identity.kind !== 'vault-role') {
      problems.push(`${f.id}: credential: a Vault credential needs a Vault role identity`);
      return;
    }
    const policy = vaultScript(model)?.policies[f.identity.role] ?? '';
    const block = policy.split('path ').find((b) => b.startsWith(`"${c.path}"`));
    if (!block || !block.includes(`"${c.capability}"`)) problems.push(`${f.id}: credential: Vault policy ${f.identity.role} does not ${c.capability} ${c.path}`);
  } else if (c.kind === 'kubernetes-secret' && f.consumer.kind === 'pods') {
    const ns = f.consumer.namespace;
    const used = model.platformResources().some((r) => model.namespaceOf(r) === ns && model.text(r).includes(c.name));
    if (!used) problems.push(`${f.id}: credential: no workload in ${ns} uses the Secret ${c.name}`);
  }
}

function checkEndpoint(model: WiringModel, f: Flow, problems: string[]): void {
  const e = f.endpoint;
  if (e.kind !== 'config') return;
  const pool = e.stack === 'cloud' ? model.cloudResources(e.type) : model.platformResources().filter((r) => r.type === e.type);
  const found = pool.filter((r) => r.path.endsWith(e.path));
  if (found.length === 0) {
    problems.push(`${f.id}: endpoint: no ${e.type} at *${e.path}`);
  } else if (!found.some((r) => model.resolvedText(r).includes(e.contains))) {
    problems.push(`${f.id}: endpoint: ${e.type} at *${e.path} does not contain ${e.contains}`);
  }
}

function describe(p: Peer): string {
  return p.kind === 'pods' ? `namespace ${p.namespace}` : `${p.name} (${p.cidrs.join(', ')})`;
}
function ports(f: Flow): string {
  return f.ports.length === 0 ? 'every port' : f.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
}

/** Services the platform's workloads point at that no flow declares for their namespace. */
function checkUndeclared(model: WiringModel, flows: readonly Flow[], problems: string[]): void {
  const declared = (from: string, to: string) =>
    from === to || flows.some((f) => f.consumer.kind === 'pods' && f.consumer.namespace === from && f.provider.kind === 'pods' && f.provider.namespace === to);
  const declaredNetwork = (from: string, name: string) =>
    flows.some((f) => f.consumer.kind === 'pods' && f.consumer.namespace === from && f.provider.kind === 'network' && f.provider.name === name);
  const seen = new Set<string>();
  for (const r of model.platformResources()) {
    const from = model.namespaceOf(r);
    if (!from || UNMANAGED_NAMESPACES.has(from)) continue;
    const body = model.resolvedText(r);
    for (const m of body.matchAll(/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\b/g)) {
      const to = m[2];
      if (!model.namespaces.has(to) || declared(from, to)) continue;
      const msg = `undeclared: ${r.path} (namespace ${from}) points at ${m[0]}, and no flow goes from ${from} to ${to}`;
      if (!seen.has(msg)) problems.push(msg);
      seen.add(msg);
    }
    if (body.includes('primary_endpoint_address') && !declaredNetwork(from, 'redis')) {
      problems.push(`undeclared: ${r.path} (namespace ${from}) points at the cache, and no flow goes from ${from} to redis`);
    }
  }
}

/** Namespace selectors of the rules, dashboards and the application scrape job. */
function checkSelectors(model: WiringModel, problems: string[]): void {
  const appNamespaces = new Set(
    model
      .platformResources()
      .filter((r) => r.type === 'kubernetes_deployment_v1' && first(r.body.metadata)?.labels?.['app.kubernetes.io/part-of'] === 'toronto-ai')
      .map((r) => model.namespaceOf(r) as string),
  );
  const release = model.platformResources().find((r) => r.type === 'helm_release' && r.body.name === 'kube-prometheus-stack');
  if (!release) return;
  const values = JSON.parse(release.body.values[0]) as Json;
  const exprs: { where: string; expr: string }[] = [];
  for (const g of values.additionalPrometheusRulesMap?.['toronto-ai-platform']?.groups ?? []) {
    for (const rule of g.rules) exprs.push({ where: `alert ${rule.alert}`, expr: rule.expr });
  }
  for (const [uid, d] of Object.entries(values.grafana?.dashboards?.['toronto-ai'] ?? {})) {
    for (const p of JSON.parse((d as Json).json).panels) exprs.push({ where: `dashboard ${uid} panel ${p.title}`, expr: p.targets[0].expr });
  }
  for (const { where, expr } of exprs) {
    for (const m of expr.matchAll(/namespace(=~|=)"([^"]*)"/g)) {
      const named = m[1] === '=' ? [m[2]] : m[2].split('|');
      const unknown = named.filter((n) => !model.namespaces.has(n));
      if (unknown.length > 0) problems.push(`selector: ${where} selects ${unknown.join(', ')}, which is no namespace (PromQL anchors =~)`);
      if (named.some((n) => appNamespaces.has(n))) {
        const missed = [...appNamespaces].filter((n) => !named.includes(n));
        if (missed.length > 0) problems.push(`selector: ${where} misses the application namespace(s) ${missed.join(', ')}`);
      }
    }
  }
  for (const job of values.prometheus?.prometheusSpec?.additionalScrapeConfigs ?? []) {
    for (const sd of job.kubernetes_sd_configs ?? []) {
      const names: string[] = sd.namespaces?.names ?? [];
      const unknown = names.filter((n) => !model.namespaces.has(n));
      const missed = [...appNamespaces].filter((n) => !names.includes(n));
      if (unknown.length > 0) problems.push(`selector: scrape job ${job.job_name} selects ${unknown.join(', ')}, which is no namespace`);
      if (missed.length > 0) problems.push(`selector: scrape job ${job.job_name} misses the application namespace(s) ${missed.join(', ')}`);
    }
  }
}

/** Every problem of the wiring of one environment (empty when complete). */
export function checkWiring(flows: readonly Flow[], cloud: Json, platform: Json): string[] {
  const model = new WiringModel(cloud, platform);
  const problems: string[] = [];
  for (const ns of model.namespaces) {
    if (!UNMANAGED_NAMESPACES.has(ns) && !defaultDeny(model, ns)) problems.push(`namespace ${ns}: no default-deny NetworkPolicy`);
  }
  const ids = new Set<string>();
  for (const f of flows) {
    if (ids.has(f.id)) problems.push(`${f.id}: declared twice`);
    ids.add(f.id);
    checkNetwork(model, f, flows, problems);
    checkIdentity(model, f, problems);
    checkCredential(model, f, problems);
    checkEndpoint(model, f, problems);
  }
  checkUndeclared(model, flows, problems);
  checkSelectors(model, problems);
  return problems;
}

/** `npm run completeness`: synthesizes every environment and prints the problems of each. */
function main(): number {
  return withScratchFolder('completeness-', (outdir) => {
    program().buildApp({ definitions: DEFINITIONS, outdir }).synth();
    let total = 0;
    for (const env of validateEnvironments(DEFINITIONS)) {
      const names = namesFor(env);
      const flows = platformFlows(env);
      const problems = checkWiring(flows, readStack<Json>(outdir, names.cloudStack), readStack<Json>(outdir, names.platformStack));
      total += problems.length;
      process.stdout.write(`${env.name}: ${flows.length} flows, ${problems.length === 0 ? 'complete' : `${problems.length} problem(s)`}\n`);
      for (const p of problems) process.stdout.write(`  - ${p}\n`);
    }
    return total === 0 ? 0 : 1;
  });
}

if (require.main === module) process.exit(main());
