import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { DaemonSetV1 } from '../kubernetes/workloads';
import { suppress } from '../policy/suppress';
import { escapeTemplate } from '../observability/terraform-escape';
import { NODE_DAEMONSETS } from '../../environments/capacity';
import { restrictedContainerAs } from '../common/pod-security';

export interface ClamavProps {
  /** Namespace (`security`). */
  readonly namespace: string;
  /** Pinned tag of the official clamav/clamav image. */
  readonly imageTag: string;
  /** Hours between two scans of a node's file system. */
  readonly scanIntervalHours: number;
  /** Signature update checks per day (freshclam `Checks`). */
  readonly signatureChecksPerDay: number;
  /**
   * Alertmanager base URL (`http://host:port`): a scan that finds malware posts a critical
   * `MalwareDetected` alert there (active until the next scan).
   */
  readonly alertmanagerUrl: string;
  /** Environment name, a label of the alert. */
  readonly environment: string;
  /** Runbook link of the alert (the README's decision matrix). */
  readonly runbookUrl: string;
  readonly dependsOn?: ITerraformDependable[];
}

/** Where the node's root file system is mounted (read-only) in the scanner. */
export const HOST_MOUNT = '/host';

/**
 * Paths the scan skips: kernel and runtime pseudo file systems, and everything the kubelet mounts:
 * the pods' volumes and their mounted secrets and service-account tokens (`var/lib/kubelet/pods`),
 * the CSI drivers' global mounts (`var/lib/kubelet/plugins/<driver>/.../globalmount`: the multi-TiB
 * database and vector volumes) and the kubelet's own keys (`var/lib/kubelet/pki`). The container
 * images under /var/lib/containerd and the rest of the node are scanned. The scan also stays on the
 * root file system (`--cross-fs=no`), so a volume mounted anywhere else is skipped too.
 */
export const SCAN_EXCLUDES = ['proc', 'sys', 'dev', 'run', 'var/lib/kubelet'] as const;

/** freshclam.conf: signatures into the shared volume, `checks` times a day, logs on stdout. */
export function freshclamConfig(checksPerDay: number): string {
  return [
    'DatabaseDirectory /var/lib/clamav',
    'DatabaseMirror database.clamav.net',
    'Foreground yes',
    'LogTime yes',
    'LogVerbose no',
    `Checks ${checksPerDay}`,
    '',
  ].join('\n');
}

/**
 * The scan loop. Each detection is a `<path>: <signature> FOUND` line on stdout, which Filebeat
 * ships and Logstash tags `malware`; every run ends with a `result=` summary line, and an
 * infected result also raises a `MalwareDetected` alert in Alertmanager (busybox wget).
 */
export function scanScript(intervalHours: number): string {
  const excludes = SCAN_EXCLUDES.map((d) => `--exclude-dir='^${HOST_MOUNT}/${d}/'`).join(' ');
  return `set -u
interval=$((${intervalHours} * 3600))
notify() {
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  until=$(date -u -d "@$(( $(date +%s) + interval ))" +%Y-%m-%dT%H:%M:%SZ)
  body='[{"labels":{"alertname":"MalwareDetected","severity":"critical","decision":"investigate","source":"clamav","node":"'"\${NODE_NAME}"'","environment":"'"\${ENVIRONMENT}"'"},"annotations":{"summary":"ClamAV found malware on '"\${NODE_NAME}"'","description":"The FOUND lines of the clamav scanner on this node name the files (Kibana: tags:malware).","runbook_url":"'"\${RUNBOOK_URL}"'"},"startsAt":"'"$now"'","endsAt":"'"$until"'"}]'
  wget -q -O /dev/null --header 'Content-Type: application/json' --post-data "$body" "\${ALERTMANAGER_URL}/api/v2/alerts" \\
    || echo "clamav could not reach Alertmanager"
}
until ls /var/lib/clamav/daily.c[lv]d >/dev/null 2>&1; do echo "clamav waiting for signatures"; sleep 60; done
while true; do
  touch /tmp/alive
  echo "clamav scan started node=\${NODE_NAME}"
  nice -n 19 clamscan --recursive --cross-fs=no --infected --stdout --database=/var/lib/clamav ${excludes} ${HOST_MOUNT}
  rc=$?
  case $rc in
    0) result=clean ;;
    1) result=infected; notify ;;
    *) result=error ;;
  esac
  echo "clamav scan finished node=\${NODE_NAME} result=$result rc=$rc"
  touch /tmp/alive
  sleep "$interval"
done
`;
}

/**
 * Malware scanning (SEC-2): a DaemonSet on every node with two containers sharing a signature
 * volume: `freshclam` keeps the ClamAV signatures current, `scanner` scans the node's file system
 * (mounted read-only) every `scanIntervalHours` at the lowest CPU priority and reports to stdout.
 * There is no maintained ClamAV Helm chart, so the resources are plain Kubernetes objects.
 */
export class Clamav extends Construct {
  readonly daemonSet: DaemonSetV1;

  constructor(scope: Construct, id: string, props: ClamavProps) {
    super(scope, id);
    if (!/^\d+\.\d+\.\d+(-\d+)?$/.test(props.imageTag)) {
      throw new Error(`${this.node.path}: 'imageTag' must be a pinned clamav/clamav version. Got: ${props.imageTag}`);
    }
    const name = 'clamav';
    const labels = { 'app.kubernetes.io/name': name };
    const image = `clamav/clamav:${props.imageTag}`;
    const config = new ConfigMapV1(this, 'config', {
      metadata: { name: `${name}-config`, namespace: props.namespace },
      data: {
        'freshclam.conf': freshclamConfig(props.signatureChecksPerDay),
        'scan.sh': escapeTemplate(scanScript(props.scanIntervalHours)),
      },
    });
    // The clamav image's `clamav` user and group.
    const nonRoot = restrictedContainerAs('100', '101');
    const exec = (command: string) => ({ exec: { command: ['/bin/sh', '-c', command] }, periodSeconds: 60, timeoutSeconds: 10 });

    this.daemonSet = new DaemonSetV1(this, 'daemon-set', {
      metadata: { name, namespace: props.namespace, labels },
      dependsOn: props.dependsOn,
      spec: {
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            // Every node, whatever its pool's taint.
            toleration: [{ operator: 'Exists' }],
            securityContext: { fsGroup: '101', seccompProfile: { type: 'RuntimeDefault' } },
            container: [
              {
                name: 'freshclam',
                image,
                command: ['freshclam', '--config-file=/etc/clamav-config/freshclam.conf', '--daemon'],
                securityContext: nonRoot,
                resources: NODE_DAEMONSETS.clamavScanner,
                livenessProbe: { ...exec('pidof freshclam'), initialDelaySeconds: 30 },
                readinessProbe: exec('ls /var/lib/clamav/daily.c[lv]d'),
                volumeMount: [
                  { name: 'signatures', mountPath: '/var/lib/clamav' },
                  { name: 'config', mountPath: '/etc/clamav-config', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
              {
                name: 'scanner',
                image,
                command: ['/bin/sh', '/etc/clamav-config/scan.sh'],
                env: [
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'ENVIRONMENT', value: props.environment },
                  { name: 'ALERTMANAGER_URL', value: props.alertmanagerUrl },
                  { name: 'RUNBOOK_URL', value: props.runbookUrl },
                ],
                // Root with only CAP_DAC_READ_SEARCH, not privileged: reading every file of the
                // node needs to bypass file permissions; the host file system is mounted
                // read-only, so the scanner can read but never change or delete anything.
                securityContext: {
                  runAsUser: '0',
                  runAsNonRoot: false,
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                // clamscan loads the whole signature set (about 1.2 GiB) for each run.
                resources: { requests: { cpu: '100m', memory: '1536Mi' }, limits: { cpu: '1', memory: '2560Mi' } },
                livenessProbe: {
                  ...exec(`test -n "$(find /tmp/alive -mmin -${props.scanIntervalHours * 60 + 720})"`),
                  initialDelaySeconds: 600,
                },
                readinessProbe: exec('ls /var/lib/clamav/daily.c[lv]d'),
                volumeMount: [
                  { name: 'host', mountPath: HOST_MOUNT, readOnly: true, mountPropagation: 'None' },
                  { name: 'signatures', mountPath: '/var/lib/clamav', readOnly: true },
                  { name: 'config', mountPath: '/etc/clamav-config', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'host', hostPath: { path: '/', type: 'Directory' } },
              { name: 'signatures', emptyDir: { sizeLimit: '2Gi' } },
              { name: 'config', configMap: { name: config.metadata.name } },
              { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
            ],
          },
        },
      },
    });
    suppress(
      this.daemonSet,
      'TAI-K8S-1',
      'the clamav scanner runs as uid 0 with only CAP_DAC_READ_SEARCH (not privileged, no escalation) to read every file of the node, mounted read-only',
    );
  }
}
