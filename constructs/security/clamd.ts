import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { DeploymentV1 } from '../kubernetes/workloads';
import { NodePlacement } from '../nodepools/placement';
import { freshclamConfig } from './clamav';
import { restrictedContainerAs } from '../common/pod-security';

export interface ClamdProps {
  /** Namespace (`security`). */
  readonly namespace: string;
  /** Service and Deployment name (`clamd`). */
  readonly name: string;
  /** The port clients send INSTREAM scans to (3310, clamd's registered port). */
  readonly port: number;
  /** Pinned tag of the official clamav/clamav image (the same as the node scanner's). */
  readonly imageTag: string;
  /** Signature update checks per day (freshclam `Checks`). */
  readonly signatureChecksPerDay: number;
  readonly replicas: number;
  /** Where the daemons run (the system pool). */
  readonly placement: NodePlacement;
  /** Largest upload clamd accepts on a stream, in MiB (StreamMaxLength); a longer stream is refused. */
  readonly maxStreamMiB: number;
  readonly dependsOn?: ITerraformDependable[];
}

/** Minutes between two checks by clamd that the signature directory changed (then it reloads). */
export const CLAMD_SELF_CHECK_SECONDS = 600;

/** clamd.conf: TCP on `port`, in the foreground, logs on stdout, reloads signatures freshclam writes. */
export function clamdConfig(port: number, maxStreamMiB: number): string {
  return [
    'Foreground yes',
    'LogTime yes',
    'LogClean no',
    'LogVerbose no',
    'DatabaseDirectory /var/lib/clamav',
    'TemporaryDirectory /tmp',
    `TCPSocket ${port}`,
    'TCPAddr 0.0.0.0',
    'MaxThreads 10',
    'MaxConnectionQueueLength 30',
    `StreamMaxLength ${maxStreamMiB}M`,
    `MaxFileSize ${maxStreamMiB}M`,
    `MaxScanSize ${maxStreamMiB * 4}M`,
    `SelfCheck ${CLAMD_SELF_CHECK_SECONDS}`,
    'ConcurrentDatabaseReload yes',
    '',
  ].join('\n');
}

/**
 * The ClamAV daemon the application scans uploads with (seed 000 installs `clamav-daemon`): a
 * Deployment of `replicas` pods, each with `clamd` (INSTREAM over TCP on `port`) and `freshclam`
 * keeping the signatures current in a volume the two share (clamd notices the change within
 * SelfCheck and reloads without dropping scans); an init container fetches the signatures before
 * clamd starts, so a ready pod always has them. Non-root (the image's clamav user), read-only root
 * file system, no capabilities, no service-account token. The Service `name` in `namespace`
 * fronts it; the NetworkPolicies admit only the application's namespaces (features/flows.ts).
 */
export class Clamd extends Construct {
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: ClamdProps) {
    super(scope, id);
    if (!/^\d+\.\d+\.\d+(-\d+)?$/.test(props.imageTag)) {
      throw new Error(`${this.node.path}: 'imageTag' must be a pinned clamav/clamav version. Got: ${props.imageTag}`);
    }
    if (!Number.isInteger(props.replicas) || props.replicas < 1) {
      throw new Error(`${this.node.path}: 'replicas' must be a positive integer. Got: ${props.replicas}`);
    }
    const labels = { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/component': 'malware-scanner' };
    const image = `clamav/clamav:${props.imageTag}`;
    const config = new ConfigMapV1(this, 'config', {
      metadata: { name: `${props.name}-config`, namespace: props.namespace },
      data: {
        'clamd.conf': clamdConfig(props.port, props.maxStreamMiB),
        'freshclam.conf': freshclamConfig(props.signatureChecksPerDay),
      },
    });
    // The clamav image's `clamav` user and group.
    const securityContext = restrictedContainerAs('100', '101');
    const mounts = (signaturesReadOnly: boolean) => [
      { name: 'signatures', mountPath: '/var/lib/clamav', readOnly: signaturesReadOnly },
      { name: 'config', mountPath: '/etc/clamav-config', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const freshclam = (command: string[]) => ({
      image,
      command,
      securityContext,
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      volumeMount: mounts(false),
    });
    const signaturesPresent = { exec: { command: ['/bin/sh', '-c', 'ls /var/lib/clamav/daily.c[lv]d'] }, periodSeconds: 60, timeoutSeconds: 10 };

    this.deployment = new DeploymentV1(this, 'deployment', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      dependsOn: props.dependsOn,
      // The first start downloads the signatures (~300 MB) and loads them.
      timeouts: { create: '20m', update: '20m' },
      spec: {
        replicas: String(props.replicas),
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0', maxSurge: '1' } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            nodeSelector: props.placement.nodeSelector,
            toleration: props.placement.tolerations,
            securityContext: { fsGroup: '101', seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraint: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: [{ matchLabels: labels }] },
            ],
            initContainer: [{ name: 'signatures', ...freshclam(['freshclam', '--config-file=/etc/clamav-config/freshclam.conf']) }],
            container: [
              {
                name: 'clamd',
                image,
                command: ['clamd', '--config-file=/etc/clamav-config/clamd.conf'],
                port: [{ name: 'clamd', containerPort: props.port, protocol: 'TCP' }],
                securityContext,
                // The signature set loaded (about 1.2 GiB), twice while a reload runs concurrently.
                resources: { requests: { cpu: '250m', memory: '1536Mi' }, limits: { cpu: '2', memory: '3Gi' } },
                readinessProbe: { tcpSocket: [{ port: String(props.port) }], periodSeconds: 10, timeoutSeconds: 5 },
                livenessProbe: { tcpSocket: [{ port: String(props.port) }], initialDelaySeconds: 300, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 6 },
                volumeMount: mounts(true),
              },
              {
                name: 'freshclam',
                ...freshclam(['freshclam', '--config-file=/etc/clamav-config/freshclam.conf', '--daemon']),
                livenessProbe: { exec: { command: ['/bin/sh', '-c', 'pidof freshclam'] }, periodSeconds: 60, timeoutSeconds: 10, initialDelaySeconds: 30 },
                readinessProbe: signaturesPresent,
              },
            ],
            volume: [
              { name: 'signatures', emptyDir: { sizeLimit: '2Gi' } },
              { name: 'config', configMap: { name: config.metadata.name } },
              { name: 'tmp', emptyDir: { sizeLimit: `${Math.max(1024, props.maxStreamMiB * 8)}Mi` } },
            ],
          },
        },
      },
    });

    this.service = new ServiceV1(this, 'service', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        selector: labels,
        port: [{ name: 'clamd', port: props.port, targetPort: 'clamd', protocol: 'TCP' }],
      },
    });
    if (props.replicas > 1) {
      new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: { name: props.name, namespace: props.namespace },
        spec: { maxUnavailable: '1', selector: { matchLabels: labels } },
      });
    }
  }
}
