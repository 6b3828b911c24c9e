import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { AlertRule } from '../observability/alert-rules';

/** A workload whose configuration findings are reviewed exceptions (policy suppressions with a reason). */
export interface ReviewedWorkload {
  readonly namespace: string;
  /** The workload's name (`resource_name` of the operator's metrics). */
  readonly name: string;
  readonly reason: string;
}

export interface TrivyOperatorProps {
  /** Namespace of the release (`security`); the scan jobs run there too. */
  readonly namespace: string;
  /** Where the operator and its scan jobs run (the system pool). */
  readonly placement: NodePlacement;
  /**
   * Namespaces not scanned (comma-free names): kube-system holds the EKS-managed add-ons, whose
   * images are in AWS's private ECR (a scan job cannot pull them without registry credentials).
   */
  readonly excludeNamespaces: readonly string[];
  /** Scan jobs at a time (each pulls an image and the vulnerability database). */
  readonly concurrentScanJobs: number;
  readonly dependsOn?: ITerraformDependable[];
}

/** The operator's metrics port (container port `metrics`; the Service serves it on 80). */
export const TRIVY_METRICS_PORT = 8080;
export const TRIVY_RELEASE = 'trivy-operator';
/** uid/gid of the operator and of every scan job (nobody). */
const NOBODY = 65534;

/**
 * The operator's and the scan jobs' pods: non-root, RuntimeDefault seccomp. The chart's container
 * contexts already drop every capability, forbid escalation and mount the root file system
 * read-only (its defaults, asserted on the render).
 */
const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: NOBODY,
  runAsGroup: NOBODY,
  fsGroup: NOBODY,
  seccompProfile: { type: 'RuntimeDefault' },
};
/** A scan job's trivy container: the vulnerability database (~1 GiB unpacked) and one image's layers. */
export const TRIVY_SCAN_RESOURCES = { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const OPERATOR_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '1Gi' } };

/**
 * Vulnerability and configuration scanning of the running workloads (issue 15, seed 001
 * "Vulnerability scanning") with the Trivy operator: for every workload in the scanned namespaces
 * it runs a scan job of each container image (HIGH and CRITICAL vulnerabilities that have a fix:
 * `ignoreUnfixed`, so every finding is actionable) and audits the workload's configuration, and
 * writes VulnerabilityReports and ConfigAuditReports next to the workload. Its metrics are scraped
 * through the chart's ServiceMonitor; `trivyAlertRules` turns them into alerts.
 *
 * Not enabled: node-collector infra assessment and the compliance reports (node-collector mounts
 * the node's /var/lib/kubelet, /etc/kubernetes and systemd directories; EKS manages the control
 * plane those CIS checks are about), SBOM reports (large objects in etcd nothing reads).
 */
export class TrivyOperator extends Construct {
  readonly release: ChartRelease;

  constructor(scope: Construct, id: string, props: TrivyOperatorProps) {
    super(scope, id);
    if (!Number.isInteger(props.concurrentScanJobs) || props.concurrentScanJobs < 1) {
      throw new Error(`${this.node.path}: 'concurrentScanJobs' must be a positive integer. Got: ${props.concurrentScanJobs}`);
    }
    const { nodeSelector, tolerations } = props.placement;
    this.release = new ChartRelease(this, 'release', {
      name: TRIVY_RELEASE,
      namespace: props.namespace,
      chart: CHARTS.trivyOperator,
      dependsOn: props.dependsOn,
      values: {
        excludeNamespaces: props.excludeNamespaces.join(','),
        operator: {
          scanJobsConcurrentLimit: props.concurrentScanJobs,
          sbomGenerationEnabled: false,
          infraAssessmentScannerEnabled: false,
          clusterComplianceEnabled: false,
        },
        compliance: { specs: [] },
        trivy: {
          severity: 'HIGH,CRITICAL',
          ignoreUnfixed: true,
          resources: TRIVY_SCAN_RESOURCES,
        },
        trivyOperator: {
          scanJobNodeSelector: nodeSelector,
          ...(tolerations.length > 0 ? { scanJobTolerations: tolerations } : {}),
          scanJobPodTemplatePodSecurityContext: POD_SECURITY_CONTEXT,
        },
        serviceMonitor: { enabled: true },
        podSecurityContext: POD_SECURITY_CONTEXT,
        resources: OPERATOR_RESOURCES,
        nodeSelector,
        ...(tolerations.length > 0 ? { tolerations } : {}),
      },
    });
  }
}

/**
 * The alerts of the operator's findings (rule file `toronto-ai-security`), routed by severity like
 * every other alert:
 * - `TrivyCriticalVulnerability` (critical): a running image has a CRITICAL vulnerability with a
 *   fixed version (the scans ignore unfixed ones), per workload and container;
 * - `TrivyConfigAuditFailed` (warning): a workload fails a CRITICAL or HIGH configuration check,
 *   except the reviewed workloads (the node agents whose root, host-namespace or capability
 *   exceptions the policy pack suppresses with a reason), whose findings stay in their reports.
 */
export function trivyAlertRules(reviewed: readonly ReviewedWorkload[]): AlertRule[] {
  const exceptions = reviewed.map((w) => ` unless on (namespace, resource_name) (trivy_resource_configaudits{namespace="${w.namespace}",resource_name="${w.name}"})`).join('');
  return [
    {
      alert: 'TrivyCriticalVulnerability',
      expr: 'sum by (namespace, resource_kind, resource_name, container_name, image_repository, image_tag) (trivy_image_vulnerabilities{severity="Critical"}) > 0',
      for: '15m',
      comparison: '>',
      threshold: 0,
      severity: 'critical',
      decision: 'investigate',
      summary: 'A running image has {{ $value }} critical vulnerabilities with a fix available',
      description: '{{ $labels.image_repository }}:{{ $labels.image_tag }} of {{ $labels.namespace }}/{{ $labels.resource_kind }}/{{ $labels.resource_name }} ({{ $labels.container_name }}): `kubectl -n {{ $labels.namespace }} get vulnerabilityreports -o wide`; upgrade the image (its pinned tag in the definition or the chart version).',
      source: 'seed 001 vulnerability scanning (issue 15)',
    },
    {
      alert: 'TrivyConfigAuditFailed',
      expr: `(sum by (namespace, resource_kind, resource_name) (trivy_resource_configaudits{severity=~"Critical|High"})${exceptions}) > 0`,
      for: '30m',
      comparison: '>',
      threshold: 0,
      severity: 'warning',
      decision: 'investigate',
      summary: '{{ $labels.namespace }}/{{ $labels.resource_kind }}/{{ $labels.resource_name }} fails {{ $value }} critical or high configuration checks',
      description: '`kubectl -n {{ $labels.namespace }} get configauditreports -o wide`, then the report of the workload: fix its security context, or make the exception a reviewed policy suppression.',
      source: 'seed 001 vulnerability scanning (issue 15)',
    },
  ];
}
