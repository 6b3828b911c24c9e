import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { NODE_DAEMONSETS } from '../../environments/capacity';

export interface FalcoProps {
  /** Namespace of the release (`security`). */
  readonly namespace: string;
  /** Where falcosidekick runs (the system pool); Falco itself runs on every node. */
  readonly sidekickPlacement: NodePlacement;
  /** Alertmanager base URL (`http://host:port`) falcosidekick posts events to. */
  readonly alertmanagerUrl: string;
  /**
   * Lowest Falco priority forwarded to Alertmanager.
   * @default 'warning'
   */
  readonly minimumPriority?: 'emergency' | 'alert' | 'critical' | 'error' | 'warning' | 'notice';
  /** Environment name, added to every forwarded event as a label. */
  readonly environment: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Host intrusion detection (SEC-2) with Falco, the Kubernetes-native, CNCF-graduated runtime
 * detector (OSSEC-style file, process and network rules evaluated on kernel events):
 *
 * - a DaemonSet on every node (it tolerates every taint, so the database and vector pools too);
 * - the modern eBPF driver in least-privileged mode: CAP_SYS_RESOURCE, CAP_BPF, CAP_PERFMON and
 *   CAP_SYS_PTRACE instead of a privileged container, and no kernel module;
 * - events as JSON in the logs (shipped by Filebeat) and, through falcosidekick, to Alertmanager
 *   with the environment as a label.
 */
export class Falco extends Construct {
  readonly release: ChartRelease;

  constructor(scope: Construct, id: string, props: FalcoProps) {
    super(scope, id);
    const { nodeSelector, tolerations } = props.sidekickPlacement;
    this.release = new ChartRelease(this, 'falco', {
      name: 'falco',
      namespace: props.namespace,
      chart: CHARTS.falco,
      dependsOn: props.dependsOn,
      values: {
        driver: {
          enabled: true,
          kind: 'modern_ebpf',
          modernEbpf: { leastPrivileged: true },
        },
        // Every node whatever its taint: intrusion detection must not skip the data pools.
        tolerations: [{ operator: 'Exists' }],
        resources: NODE_DAEMONSETS.falco,
        // Replaces the chart's computed context as a whole (leastPrivileged's capabilities, kept
        // verbatim) to add a read-only root: falco writes only to its emptyDirs (/etc/falco rules,
        // /usr/share/falco/plugins, /root/.falco) and /tmp.
        containerSecurityContext: { capabilities: { add: [...FALCO_CAPABILITIES] }, readOnlyRootFilesystem: true },
        mounts: {
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
        // The rules-artifact init container and sidecar write only to the pod's emptyDir volumes
        // (artifacts, and their temporary downloads and index cache under HOME=/tmp): they need
        // neither root, nor any capability, nor a writable root (only falco reads the kernel).
        falcoctl: {
          artifact: {
            install: { resources: FALCOCTL_RESOURCES, securityContext: FALCOCTL_SECURITY_CONTEXT, env: FALCOCTL_ENV, mounts: { volumeMounts: FALCOCTL_TMP } },
            follow: { resources: FALCOCTL_RESOURCES, securityContext: FALCOCTL_SECURITY_CONTEXT, env: FALCOCTL_ENV, mounts: { volumeMounts: FALCOCTL_TMP } },
          },
        },
        falco: {
          json_output: true,
          json_include_output_property: true,
          priority: 'notice',
        },
        falcosidekick: {
          enabled: true,
          replicaCount: 2,
          nodeSelector,
          tolerations,
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
          podSecurityContext: { runAsUser: 1234, fsGroup: 1234 },
          securityContext: {
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          config: {
            alertmanager: {
              hostport: props.alertmanagerUrl,
              endpoint: '/api/v2/alerts',
              minimumpriority: props.minimumPriority ?? 'warning',
              extralabels: `environment:${props.environment},source:falco`,
            },
          },
        },
      },
    });
    // The falcosidekick chart has no budget values: one of its two replicas may be evicted at a time.
    new PodDisruptionBudgetV1(this, 'falcosidekick-pdb', {
      metadata: { name: 'falco-falcosidekick', namespace: props.namespace },
      spec: { maxUnavailable: '1', selector: { matchLabels: { 'app.kubernetes.io/name': 'falcosidekick', 'app.kubernetes.io/instance': 'falco' } } },
      dependsOn: [this.release.release],
    });
    this.release.suppressRendered(
      'DaemonSet/falco',
      'TAI-K8S-1',
      'the host-level intrusion detector: the falco container reads kernel events through eBPF as uid 0 with CAP_SYS_ADMIN-class capabilities (leastPrivileged, not privileged), which excludes allowPrivilegeEscalation=false; the only workload allowed to run as root',
    );
    this.release.suppressRendered(
      'DaemonSet/falco',
      'TAI-K8S-3',
      'falcoctl-artifact-follow is a rules-update sidecar with no health endpoint in falcoctl 0.13; the falco container itself has both probes',
    );
  }
}

const FALCOCTL_RESOURCES = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } };
/** What falco 9.1.0 computes for the modern eBPF driver with leastPrivileged (templates/pod-template.tpl). */
const FALCO_CAPABILITIES = ['BPF', 'SYS_RESOURCE', 'PERFMON', 'SYS_PTRACE'] as const;
const FALCOCTL_ENV = [{ name: 'HOME', value: '/tmp' }];
const FALCOCTL_TMP = [{ name: 'tmp', mountPath: '/tmp' }];
const FALCOCTL_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
