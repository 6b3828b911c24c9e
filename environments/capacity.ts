/**
 * Node capacity: what one node of a pool can give to pods, and whether the workloads a definition
 * sizes can ever be scheduled on the pool that hosts them (HW-1, K8S-2, SEC-4).
 *
 * The model, per node, from the instance facts in environments/catalog.ts:
 * - capacity: what the kubelet reports. On EC2 Nitro instances the kernel and firmware keep part
 *   of the nominal memory: measured capacity is about 97 % of it minus 200 MiB (an m5.large,
 *   8 GiB nominal, reports 7934440Ki);
 * - the system reserve of the EKS-optimized AMI (AL2023 nodeadm defaults): kube-reserved CPU
 *   6 % of the first core, 1 % of the second, 0.5 % of the next two and 0.25 % of the rest;
 *   kube-reserved memory 255 MiB + 11 MiB per pod the node can address (`maxPods`); the hard
 *   eviction threshold `memory.available<100Mi`;
 * - the requests of the DaemonSets that run on every node, whatever its pool: this program's own
 *   (NODE_DAEMONSETS, which the constructs use) and the EKS managed add-ons' (EKS_ADDON_DAEMONSETS).
 *
 * What is left is the room one pod can ever get. A workload whose request exceeds it, or whose
 * limit exceeds the node's allocatable, is refused; so is a pool whose largest size cannot hold
 * the requests of every workload placed on it at full scale (a necessary, not a sufficient,
 * condition: bin packing can need more).
 */
import { INSTANCE_TYPES, InstanceFacts, NodePoolName } from './catalog';
import { cpuMillis, formatCpu, formatGiB, memoryMiB } from './quantity';

export interface Amount {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface PodResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * The DaemonSets this program runs on every node (they tolerate every taint). The constructs
 * take their resources from here, so the capacity check and the cluster agree.
 */
export const NODE_DAEMONSETS = {
  /** constructs/observability/filebeat.ts: container logs to Logstash (OBS-4). */
  filebeat: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  /** constructs/security/falco.ts: runtime intrusion detection (SEC-3). */
  falco: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '1024Mi' } },
  /** constructs/security/clamav.ts: the read-only scanner of each node's file system (SEC-3). */
  clamavScanner: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  /** constructs/observability/monitoring.ts: prometheus-node-exporter (OBS-1). */
  nodeExporter: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
} as const satisfies Readonly<Record<string, PodResources>>;

/**
 * The EKS managed add-ons' DaemonSets (requests of the builds pinned in EKS_VERSIONS; review when
 * an add-on is bumped): aws-node with its network-policy agent, kube-proxy, the EBS CSI node
 * plugin (three containers) and the Pod Identity agent.
 */
export const EKS_ADDON_DAEMONSETS: Readonly<Record<string, Amount>> = {
  'aws-node': { cpuMillis: 50, memoryMiB: 0 },
  'kube-proxy': { cpuMillis: 100, memoryMiB: 0 },
  'ebs-csi-node': { cpuMillis: 30, memoryMiB: 120 },
  'eks-pod-identity-agent': { cpuMillis: 0, memoryMiB: 0 },
};

/** Elasticsearch's CPU (constructs/observability/logging.ts); its memory is the definition's `memoryGiB`. */
export const ELASTICSEARCH_CPU = { request: '500m', limit: '2' } as const;

/** Prometheus's resources (constructs/observability/monitoring.ts uses these). */
export const PROMETHEUS_RESOURCES = { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } } as const;

/** Kubelet capacity of a node: nominal memory less what the kernel and firmware keep. */
export function nodeCapacity(facts: InstanceFacts): Amount {
  return { cpuMillis: facts.vcpus * 1000, memoryMiB: Math.floor(facts.memoryGiB * 1024 * 0.97 - 200) };
}

/** kube-reserved + eviction threshold of the EKS-optimized AMI. */
export function systemReserve(facts: InstanceFacts): Amount {
  const cores = facts.vcpus;
  const cpu =
    60 * Math.min(cores, 1) +
    10 * Math.min(Math.max(cores - 1, 0), 1) +
    5 * Math.min(Math.max(cores - 2, 0), 2) +
    2.5 * Math.max(cores - 4, 0);
  return { cpuMillis: Math.ceil(cpu), memoryMiB: 255 + 11 * facts.maxPods + 100 };
}

/** What the kubelet offers to pods on one node (`status.allocatable`). */
export function nodeAllocatable(facts: InstanceFacts): Amount {
  const capacity = nodeCapacity(facts);
  const reserve = systemReserve(facts);
  return { cpuMillis: capacity.cpuMillis - reserve.cpuMillis, memoryMiB: capacity.memoryMiB - reserve.memoryMiB };
}

/** Requests of every DaemonSet on every node. */
export function daemonSetRequests(): Amount {
  const own = Object.values(NODE_DAEMONSETS).map((d) => ({ cpuMillis: cpuMillis(d.requests.cpu), memoryMiB: memoryMiB(d.requests.memory) }));
  return [...own, ...Object.values(EKS_ADDON_DAEMONSETS)].reduce(
    (a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB }),
    { cpuMillis: 0, memoryMiB: 0 },
  );
}

/** Room one pod can get on a node: allocatable less the DaemonSets. */
export function podRoom(facts: InstanceFacts): Amount {
  const alloc = nodeAllocatable(facts);
  const ds = daemonSetRequests();
  return { cpuMillis: alloc.cpuMillis - ds.cpuMillis, memoryMiB: alloc.memoryMiB - ds.memoryMiB };
}

/**
 * The pool that hosts workloads meant for `wanted`: the pool itself when the environment has it,
 * otherwise the app pool (the same rule as constructs/nodepools/placement.ts `placementFor`).
 */
export function hostingPool(wanted: NodePoolName, pools: readonly string[]): NodePoolName {
  return pools.includes(wanted) ? wanted : 'app';
}

type Path = (string | number)[];

/** A workload whose size comes from the definition. */
export interface SizedWorkload {
  /** Human name in messages. */
  readonly what: string;
  /** The pool it is meant for (it falls back to the app pool when that pool does not exist). */
  readonly pool: NodePoolName;
  /** Pods at full scale. */
  readonly count: number;
  readonly resources: PodResources;
  /** Where each quantity is set in the definition; undefined when a construct fixes it. */
  readonly paths: { readonly requests: { cpu?: Path; memory?: Path }; readonly limits: { cpu?: Path; memory?: Path } };
  /**
   * A required pod anti-affinity: on the node name (one pod per node) or on the zone (one pod per
   * zone, hence per node too).
   */
  readonly onePer?: 'node' | 'zone';
  /** Where the pod count is set (for the anti-affinity message). */
  readonly countPath?: Path;
}

/** The parts of a parsed definition the capacity rules read (structural, to avoid a cycle). */
export interface CapacityContext {
  readonly aws: { readonly availabilityZones: readonly string[] };
  readonly nodePools: Partial<Record<NodePoolName, { readonly instanceType: string; readonly maxSize: number }>>;
  readonly app: {
    readonly replicas: number;
    readonly resources: PodResources;
    readonly hpa: { readonly maxReplicas: number };
    readonly beta: { readonly enabled: boolean; readonly replicas: number };
  };
  readonly data: {
    readonly postgres: { readonly instances: number; readonly compute: { readonly cpu: string; readonly memory: string } };
    readonly mongodb: { readonly members: number; readonly compute: { readonly cpu: string; readonly memory: string } };
    readonly chroma: { readonly replicas: number; readonly compute: { readonly cpu: string; readonly memory: string } };
    readonly vault: { readonly replicas: number; readonly compute: { readonly cpu: string; readonly memory: string } };
  };
  readonly services: {
    readonly agents: { readonly replicas: number; readonly resources: PodResources };
    readonly coordinator: { readonly replicas: number; readonly resources: PodResources };
    readonly workers: { readonly maxReplicas: number; readonly resources: PodResources };
    readonly beat: { readonly resources: PodResources };
    readonly websocket: { readonly replicas: number; readonly resources: PodResources };
    readonly inference: { readonly replicas: number; readonly resources: PodResources };
    readonly onboarding: { readonly replicas: number; readonly resources: PodResources };
    readonly feedback: { readonly replicas: number; readonly resources: PodResources };
    readonly betaReplicas: number;
  };
  readonly observability: {
    readonly prometheus: { readonly replicas: number };
    readonly logging: { readonly elasticsearch: { readonly nodes: number; readonly memoryGiB: number } };
  };
}

function guaranteed(what: string, pool: NodePoolName, count: number, compute: { cpu: string; memory: string }, at: Path, countPath: Path, onePer?: 'node' | 'zone'): SizedWorkload {
  return {
    what,
    pool,
    count,
    resources: { requests: compute, limits: compute },
    paths: { requests: { cpu: [...at, 'cpu'], memory: [...at, 'memory'] }, limits: {} },
    onePer,
    countPath,
  };
}

/** Every workload whose size or count the definition decides, with its pool and scale. */
export function sizedWorkloads(env: CapacityContext): SizedWorkload[] {
  const a = env.app;
  const d = env.data;
  const es = env.observability.logging.elasticsearch;
  const res = ['app', 'resources'];
  const s = env.services;
  const beta = a.beta.enabled ? s.betaReplicas : 0;
  const service = (key: keyof CapacityContext['services'] & string, what: string, count: number, resources: PodResources, pool: NodePoolName = 'app'): SizedWorkload => ({
    what,
    pool,
    count,
    resources,
    paths: {
      requests: { cpu: ['services', key, 'resources', 'requests', 'cpu'], memory: ['services', key, 'resources', 'requests', 'memory'] },
      limits: { cpu: ['services', key, 'resources', 'limits', 'cpu'], memory: ['services', key, 'resources', 'limits', 'memory'] },
    },
  });
  return [
    // The service tier (features/services): each stable service, and its beta copy in production.
    service('agents', 'agent runtime pod', s.agents.replicas + beta, s.agents.resources),
    service('coordinator', 'agent coordinator pod', s.coordinator.replicas + beta, s.coordinator.resources),
    service('workers', 'Celery worker pod', s.workers.maxReplicas + beta, s.workers.resources),
    service('beat', 'Celery beat pod', 1 + (beta > 0 ? 1 : 0), s.beat.resources),
    service('websocket', 'WebSocket server pod', s.websocket.replicas + beta, s.websocket.resources),
    service('onboarding', 'onboarding service pod', s.onboarding.replicas, s.onboarding.resources),
    ...(a.beta.enabled ? [service('feedback', 'feedback service pod', s.feedback.replicas, s.feedback.resources)] : []),
    // A canary step runs one extra inference replica next to the stable ones.
    service('inference', 'AI inference pod', s.inference.replicas + 1, s.inference.resources, 'inference'),
    {
      what: 'application pod',
      pool: 'app',
      // During a blue-green release the new revision runs next to the old one, both at the HPA's
      // maximum at worst (Argo Rollouts keeps the old one until the post-promotion analysis
      // passes), and the beta channel.
      count: 2 * a.hpa.maxReplicas + (a.beta.enabled ? a.beta.replicas : 0),
      resources: a.resources,
      paths: {
        requests: { cpu: [...res, 'requests', 'cpu'], memory: [...res, 'requests', 'memory'] },
        limits: { cpu: [...res, 'limits', 'cpu'], memory: [...res, 'limits', 'memory'] },
      },
    },
    // constructs/data/postgres.ts: no more instances than zones get a required anti-affinity on the zone.
    guaranteed('PostgreSQL instance', 'database', d.postgres.instances, d.postgres.compute, ['data', 'postgres', 'compute'], ['data', 'postgres', 'instances'],
      d.postgres.instances <= env.aws.availabilityZones.length ? 'zone' : undefined),
    guaranteed('MongoDB member', 'database', d.mongodb.members, d.mongodb.compute, ['data', 'mongodb', 'compute'], ['data', 'mongodb', 'members']),
    guaranteed('ChromaDB server', 'vector', d.chroma.replicas, d.chroma.compute, ['data', 'chroma', 'compute'], ['data', 'chroma', 'replicas']),
    // The Vault chart's server pods carry a required anti-affinity on the node name.
    guaranteed('Vault server', 'system', d.vault.replicas, d.vault.compute, ['data', 'vault', 'compute'], ['data', 'vault', 'replicas'], 'node'),
    {
      what: 'Elasticsearch node',
      pool: 'system',
      count: es.nodes,
      resources: {
        requests: { cpu: ELASTICSEARCH_CPU.request, memory: `${es.memoryGiB}Gi` },
        limits: { cpu: ELASTICSEARCH_CPU.limit, memory: `${es.memoryGiB}Gi` },
      },
      paths: { requests: { memory: ['observability', 'logging', 'elasticsearch', 'memoryGiB'] }, limits: {} },
      countPath: ['observability', 'logging', 'elasticsearch', 'nodes'],
    },
    {
      // kube-prometheus-stack with `podAntiAffinity: hard` (constructs/observability/monitoring.ts).
      what: 'Prometheus replica',
      pool: 'system',
      count: env.observability.prometheus.replicas,
      resources: PROMETHEUS_RESOURCES,
      paths: { requests: {}, limits: {} },
      onePer: 'node',
      countPath: ['observability', 'prometheus', 'replicas'],
    },
  ];
}

type Report = (path: Path, message: string) => void;

/** The capacity rules: every pod fits its node, hard anti-affinity fits the pool, the pool holds the total. */
export function checkCapacity(env: CapacityContext, report: Report): void {
  const pools = Object.keys(env.nodePools).filter((p) => env.nodePools[p as NodePoolName] !== undefined);
  const workloads = sizedWorkloads(env);
  const totals = new Map<NodePoolName, { cpu: number; mem: number; parts: string[] }>();

  for (const w of workloads) {
    const poolName = hostingPool(w.pool, pools);
    const pool = env.nodePools[poolName];
    const facts = pool ? INSTANCE_TYPES[pool.instanceType] : undefined;
    if (!pool || !facts) continue; // an unknown instance type or a missing pool is reported elsewhere
    const where = `one ${pool.instanceType} node (${poolName} pool)`;
    const alloc = nodeAllocatable(facts);
    const room = podRoom(facts);
    const fallback: Path = ['nodePools', poolName, 'instanceType'];
    const req = { cpu: cpuMillis(w.resources.requests.cpu), mem: memoryMiB(w.resources.requests.memory) };
    const lim = { cpu: cpuMillis(w.resources.limits.cpu), mem: memoryMiB(w.resources.limits.memory) };

    // ---- one pod on one node
    if (req.cpu > room.cpuMillis) {
      report(w.paths.requests.cpu ?? fallback, `the ${w.what}'s CPU request of ${w.resources.requests.cpu} does not fit on ${where}: ${formatCpu(alloc.cpuMillis)} CPU allocatable after the system reserve, less ${formatCpu(alloc.cpuMillis - room.cpuMillis)} for the DaemonSets on every node, leaves ${formatCpu(room.cpuMillis)}; the pod could never be scheduled`);
    }
    if (req.mem > room.memoryMiB) {
      report(w.paths.requests.memory ?? fallback, `the ${w.what}'s memory request of ${w.resources.requests.memory} does not fit on ${where}: ${formatGiB(alloc.memoryMiB)} allocatable after the system reserve, less ${formatGiB(alloc.memoryMiB - room.memoryMiB)} for the DaemonSets on every node, leaves ${formatGiB(room.memoryMiB)}; the pod could never be scheduled`);
    }
    if (w.paths.limits.cpu && lim.cpu > alloc.cpuMillis && lim.cpu !== req.cpu) {
      report(w.paths.limits.cpu, `the ${w.what}'s CPU limit of ${w.resources.limits.cpu} is more than ${where} can give a pod (${formatCpu(alloc.cpuMillis)} CPU allocatable)`);
    } else if (!w.paths.limits.cpu && lim.cpu > alloc.cpuMillis) {
      report(fallback, `${pool.instanceType} offers ${formatCpu(alloc.cpuMillis)} CPU to pods; the ${w.what} it hosts is limited to ${w.resources.limits.cpu} CPU: pick a larger instance type`);
    }
    if (w.paths.limits.memory && lim.mem > alloc.memoryMiB && lim.mem !== req.mem) {
      report(w.paths.limits.memory, `the ${w.what}'s memory limit of ${w.resources.limits.memory} is more than ${where} can give a pod (${formatGiB(alloc.memoryMiB)} allocatable)`);
    }

    // ---- one pod per node
    if (w.onePer && w.countPath && w.count > pool.maxSize) {
      report(w.countPath, `${w.count} ${w.what}s need ${w.count} nodes (one per ${w.onePer}, required anti-affinity), but the ${poolName} pool that hosts them has at most ${pool.maxSize} (nodePools.${poolName}.maxSize)`);
    }

    const t = totals.get(poolName) ?? { cpu: 0, mem: 0, parts: [] };
    t.cpu += w.count * req.cpu;
    t.mem += w.count * req.mem;
    t.parts.push(`${w.count} x ${w.what} (${w.resources.requests.cpu} CPU, ${w.resources.requests.memory})`);
    totals.set(poolName, t);
  }

  // ---- the pool at its largest holds every sized workload at full scale
  for (const [poolName, t] of totals) {
    const pool = env.nodePools[poolName]!;
    const room = podRoom(INSTANCE_TYPES[pool.instanceType]);
    const cpu = pool.maxSize * room.cpuMillis;
    const mem = pool.maxSize * room.memoryMiB;
    if (t.cpu > cpu || t.mem > mem) {
      report(['nodePools', poolName, 'maxSize'], `${pool.maxSize} ${pool.instanceType} node(s) offer ${formatCpu(cpu)} CPU and ${formatGiB(mem)} to pods after the system reserve and DaemonSets, but the workloads placed on the ${poolName} pool request ${formatCpu(t.cpu)} CPU and ${formatGiB(t.mem)} at full scale: ${t.parts.join(', ')}`);
    }
  }
}
