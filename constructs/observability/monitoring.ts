import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import type { Receiver, Severity } from '../../environments/sections/observability';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';
import { AlertRule, alertRules, ruleGroups } from './alert-rules';
import { DashboardSpec, DATA_SERVICES, dashboardJson, platformOverview } from './dashboards';
import { NODE_DAEMONSETS, PROMETHEUS_RESOURCES } from '../../environments/capacity';

/** Where Alertmanager mounts each receiver credential Secret (`<dir>/<secret>/<key>`). */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/** The receiver of the Watchdog heartbeat (MonitoringProps.heartbeat). */
export const HEARTBEAT_RECEIVER = 'heartbeat';
/** The release name of kube-prometheus-stack (Service and Secret names derive from it). */
export const MONITORING_RELEASE = 'kube-prometheus-stack';

/** The folder (and provider name) the platform's dashboards are provisioned into. */
export const DASHBOARD_PROVIDER = 'toronto-ai';

export interface AlertRoute {
  readonly severity: Severity;
  /** Name of one of `receivers`. */
  readonly receiver: string;
  readonly repeatIntervalHours: number;
}

export interface MonitoringProps {
  /** Namespace of the release (pass the namespace resource's name so it exists first). */
  readonly namespace: string;
  /** Where Prometheus, Alertmanager, Grafana and the operator run (the system pool). */
  readonly placement: NodePlacement;
  /** Storage class of every volume (a Retain class, so data survives a reinstall). */
  readonly storageClassName: string;
  /** Environment name, added to every series as the `environment` external label. */
  readonly environment: string;
  readonly prometheus: {
    readonly retentionDays: number;
    readonly storageGiB: number;
    readonly replicas: number;
  };
  readonly grafana: {
    readonly storageGiB: number;
  };
  readonly alertmanager: {
    readonly replicas: number;
    readonly receivers: readonly Receiver[];
    readonly defaultReceiver: string;
    readonly routes: readonly AlertRoute[];
    /** Link every alert carries as `runbook_url`. */
    readonly runbookUrl: string;
  };
  /**
   * The application's own metrics (seed 004: `/api/metrics` on the backend port, every 10 s):
   * pods labelled `app.kubernetes.io/part-of=toronto-ai` in these namespaces.
   * @default no application scrape job
   */
  readonly appScrape?: {
    readonly namespaces: readonly string[];
    readonly port: number;
    readonly path: string;
    readonly intervalSeconds: number;
  };
  /**
   * Namespaces the application runs in: the rules and dashboards select exactly these.
   * @default appScrape.namespaces
   */
  readonly appNamespaces?: readonly string[];
  /**
   * The alert rules.
   * @default alertRules(appNamespaces) (constructs/observability/alert-rules.ts)
   */
  readonly rules?: readonly AlertRule[];
  /**
   * Dashboards provisioned into the `toronto-ai` folder.
   * @default the platform overview (of appNamespaces) and the data-services dashboard
   */
  readonly dashboards?: readonly DashboardSpec[];
  /**
   * Dead man's switch: the always-firing `Watchdog` alert goes to this webhook (an external
   * heartbeat service that pages when the heartbeats stop), re-sent every `intervalMinutes`.
   * The URL is read from a key of a Secret in the release's namespace, mounted into Alertmanager.
   * @default Watchdog goes nowhere (nothing notices when alerting itself is down)
   */
  readonly heartbeat?: {
    readonly urlSecret: { readonly name: string; readonly key: string };
    readonly intervalMinutes: number;
  };
  readonly dependsOn?: ITerraformDependable[];
}

/** Resources of a container: requests and limits (SEC-4). */
function resources(cpu: string, memory: string, cpuLimit = cpu, memoryLimit = memory) {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/** The path of a receiver credential's Secret key inside Alertmanager. */
function secretFile(ref: { name: string; key: string }): string {
  return `${ALERTMANAGER_SECRETS_DIR}/${ref.name}/${ref.key}`;
}

/** The Secret keys a receiver reads its credential from. */
export function receiverSecretRefs(r: Receiver): { name: string; key: string }[] {
  switch (r.type) {
    case 'slack':
      return [r.apiUrlSecret];
    case 'pagerduty':
      return [r.routingKeySecret];
    case 'email':
      return r.authPasswordSecret ? [r.authPasswordSecret] : [];
    case 'webhook':
      return [r.urlSecret];
  }
}

/** Alertmanager's receiver block: credentials only as files from mounted Secrets. */
export function alertmanagerReceiver(r: Receiver): Record<string, unknown> {
  switch (r.type) {
    case 'slack':
      return {
        name: r.name,
        slack_configs: [
          {
            api_url_file: secretFile(r.apiUrlSecret),
            channel: r.channel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
          },
        ],
      };
    case 'pagerduty':
      return {
        name: r.name,
        pagerduty_configs: [{ routing_key_file: secretFile(r.routingKeySecret), send_resolved: true, severity: '{{ .CommonLabels.severity }}' }],
      };
    case 'email':
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            require_tls: true,
            send_resolved: true,
            ...(r.authUsername ? { auth_username: r.authUsername } : {}),
            ...(r.authPasswordSecret ? { auth_password_file: secretFile(r.authPasswordSecret) } : {}),
          },
        ],
      };
    case 'webhook':
      return { name: r.name, webhook_configs: [{ url_file: secretFile(r.urlSecret), send_resolved: true }] };
  }
}

/** A Prometheus scrape job for the application's pods (kubernetes_sd, role pod). */
export function appScrapeJob(scrape: NonNullable<MonitoringProps['appScrape']>): Record<string, unknown> {
  return {
    job_name: 'toronto-ai-app',
    metrics_path: scrape.path,
    scrape_interval: `${scrape.intervalSeconds}s`,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [...scrape.namespaces] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'], regex: 'toronto-ai', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(scrape.port), action: 'keep' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_version'], target_label: 'version' },
    ],
  };
}

/**
 * Monitoring (OBS-1..3): kube-prometheus-stack with Prometheus (retention and a persistent volume
 * from the definition), Alertmanager (receivers and severity routes from the definition,
 * credentials read from optionally mounted Secrets synced from Secrets Manager), Grafana
 * (persistent, admin password generated in the cluster, dashboards provisioned as code) and the
 * platform's alert rules.
 */
/** Container hardening of the Prometheus and Alertmanager pods, merged into the operator's containers. */
const OPERATED_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

export class Monitoring extends Construct {
  readonly release: ChartRelease;
  /** In-cluster Alertmanager URL (for falcosidekick and other alert sources). */
  readonly alertmanagerUrl: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const names = new Set(props.alertmanager.receivers.map((r) => r.name));
    for (const wanted of [props.alertmanager.defaultReceiver, ...props.alertmanager.routes.map((r) => r.receiver)]) {
      if (!names.has(wanted)) {
        throw new Error(`${this.node.path}: receiver '${wanted}' is not declared. Declared: ${[...names].join(', ')}`);
      }
    }
    const appNamespaces = props.appNamespaces ?? props.appScrape?.namespaces ?? [];
    if (appNamespaces.length === 0 && (props.rules === undefined || props.dashboards === undefined)) {
      throw new Error(`${this.node.path}: the default rules and dashboards select the application's namespaces: set 'appNamespaces' (or 'appScrape')`);
    }
    const rules = props.rules ?? alertRules(appNamespaces);
    const dashboards = props.dashboards ?? [platformOverview(appNamespaces), DATA_SERVICES];
    const { nodeSelector, tolerations } = props.placement;
    const heartbeat = props.heartbeat;
    if (heartbeat && names.has(HEARTBEAT_RECEIVER)) {
      throw new Error(`${this.node.path}: receiver name '${HEARTBEAT_RECEIVER}' is reserved for the heartbeat`);
    }
    const secrets = [
      ...new Set([...props.alertmanager.receivers.flatMap((r) => receiverSecretRefs(r).map((ref) => ref.name)), ...(heartbeat ? [heartbeat.urlSecret.name] : [])]),
    ].sort();
    // Each credential Secret is mounted optionally: it is synced from Secrets Manager once a
    // person has put the value there, and Alertmanager must start (and deliver to every receiver
    // whose credential exists) before that. A receiver reads its file when it sends, so a value
    // that arrives later is used without a restart (the kubelet refreshes secret volumes).
    const secretVolumes = secrets.map((name, i) => ({ name: `receiver-${i}`, secret: { secretName: name, optional: true } }));
    const secretMounts = secrets.map((name, i) => ({ name: `receiver-${i}`, mountPath: `${ALERTMANAGER_SECRETS_DIR}/${name}`, readOnly: true }));
    const watchdog = heartbeat
      ? {
          receiver: HEARTBEAT_RECEIVER,
          matchers: ['alertname = "Watchdog"'],
          group_wait: '0s',
          group_interval: `${heartbeat.intervalMinutes}m`,
          repeat_interval: `${heartbeat.intervalMinutes}m`,
        }
      : { receiver: 'null', matchers: ['alertname = "Watchdog"'] };
    const watchdogReceiver = heartbeat
      ? { name: HEARTBEAT_RECEIVER, webhook_configs: [{ url_file: secretFile(heartbeat.urlSecret), send_resolved: false }] }
      : { name: 'null' };
    const pvc = (gib: number) => ({
      volumeClaimTemplate: {
        spec: {
          storageClassName: props.storageClassName,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: `${gib}Gi` } },
        },
      },
    });

    const values = {
      crds: { enabled: true },
      // EKS runs the control plane: its scheduler, controller manager, etcd and proxy metrics are
      // not scrapeable, and their targets would only raise TargetDown alerts.
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeProxy: { enabled: false },
      additionalPrometheusRulesMap: {
        'toronto-ai-platform': { groups: ruleGroups(rules, props.alertmanager.runbookUrl, props.environment) },
      },
      prometheusOperator: {
        nodeSelector,
        tolerations,
        resources: resources('100m', '256Mi', '500m', '512Mi'),
        // The certificate Jobs (kube-webhook-certgen) of the admission webhook, run at install and upgrade.
        admissionWebhooks: { patch: { nodeSelector, tolerations, resources: resources('20m', '32Mi', '100m', '64Mi') } },
      },
      'kube-state-metrics': {
        nodeSelector,
        tolerations,
        resources: resources('50m', '128Mi', '200m', '256Mi'),
      },
      'prometheus-node-exporter': {
        // Every node, whatever its pool's taint (database and vector pools are tainted).
        tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
        resources: NODE_DAEMONSETS.nodeExporter,
        // rendered whole (toYaml): the chart's default plus no privilege escalation
        containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      },
      prometheus: {
        // One replica at a time may be evicted (node drains, upgrades); none with a single replica.
        podDisruptionBudget: { enabled: props.prometheus.replicas > 1 },
        prometheusSpec: {
          replicas: props.prometheus.replicas,
          // Seed 004 prometheus.yml: scrape and evaluate every 15 s (the chart's default is 30 s).
          scrapeInterval: '15s',
          evaluationInterval: '15s',
          retention: `${props.prometheus.retentionDays}d`,
          externalLabels: { environment: props.environment },
          // Strategic-merged into the container prometheus-operator generates: states what the
          // policy pack checks on the operator-created pods (constructs/policy/operated.ts).
          containers: [{ name: 'prometheus', securityContext: OPERATED_CONTAINER_SECURITY }],
          // Pick up ServiceMonitors, PodMonitors and rules of every release and namespace (the
          // exporters live in `data`), not only those labelled with this release.
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          storageSpec: pvc(props.prometheus.storageGiB),
          additionalScrapeConfigs: props.appScrape ? [appScrapeJob(props.appScrape)] : [],
          nodeSelector,
          tolerations,
          podAntiAffinity: 'hard',
          resources: PROMETHEUS_RESOURCES,
        },
      },
      alertmanager: {
        podDisruptionBudget: { enabled: props.alertmanager.replicas > 1 },
        config: {
          global: { resolve_timeout: '5m' },
          route: {
            receiver: props.alertmanager.defaultReceiver,
            group_by: ['alertname', 'namespace', 'severity'],
            group_wait: '30s',
            group_interval: '5m',
            repeat_interval: '12h',
            routes: [
              watchdog,
              ...props.alertmanager.routes.map((r) => ({
                receiver: r.receiver,
                matchers: [`severity = "${r.severity}"`],
                repeat_interval: `${r.repeatIntervalHours}h`,
              })),
            ],
          },
          // A critical alert silences the warning of the same name and namespace (rollback
          // supersedes investigate).
          inhibit_rules: [
            {
              source_matchers: ['severity = "critical"'],
              target_matchers: ['severity =~ "warning|info"'],
              equal: ['namespace', 'alertname'],
            },
          ],
          receivers: [watchdogReceiver, ...props.alertmanager.receivers.map(alertmanagerReceiver)],
          templates: ['/etc/alertmanager/config/*.tmpl'],
        },
        alertmanagerSpec: {
          replicas: props.alertmanager.replicas,
          containers: [{ name: 'alertmanager', securityContext: OPERATED_CONTAINER_SECURITY }],
          volumes: secretVolumes,
          volumeMounts: secretMounts,
          storage: pvc(2),
          nodeSelector,
          tolerations,
          resources: resources('50m', '128Mi', '200m', '256Mi'),
        },
      },
      grafana: {
        // No admin.existingSecret: the chart generates the admin credentials (`admin-user`,
        // `admin-password`) in the Secret `kube-prometheus-stack-grafana` on first install (40
        // random characters, kept across upgrades with `lookup`): never typed, never in values or
        // Terraform state, and no Secret has to exist before the first apply.
        persistence: {
          enabled: true,
          type: 'pvc',
          size: `${props.grafana.storageGiB}Gi`,
          storageClassName: props.storageClassName,
        },
        // A ReadWriteOnce volume cannot be attached to two pods during a rolling update.
        deploymentStrategy: { type: 'Recreate' },
        // The volume gets its group through fsGroup; the root chown init container is not needed.
        initChownData: { enabled: false },
        nodeSelector,
        tolerations,
        resources: resources('100m', '256Mi', '500m', '512Mi'),
        // The dashboard/datasource sidecars and the dashboard download init container.
        sidecar: { resources: resources('20m', '64Mi', '200m', '128Mi') },
        downloadDashboards: { resources: resources('20m', '32Mi', '100m', '64Mi') },
        dashboardProviders: {
          'dashboardproviders.yaml': {
            apiVersion: 1,
            providers: [
              {
                name: DASHBOARD_PROVIDER,
                orgId: 1,
                folder: 'Toronto AI',
                type: 'file',
                disableDeletion: true,
                editable: false,
                options: { path: `/var/lib/grafana/dashboards/${DASHBOARD_PROVIDER}` },
              },
            ],
          },
        },
        dashboards: {
          [DASHBOARD_PROVIDER]: Object.fromEntries(
            dashboards.map((d) => [d.uid, { json: JSON.stringify(dashboardJson(d)) }]),
          ),
        },
      },
    };

    this.release = new ChartRelease(this, 'kube-prometheus-stack', {
      name: MONITORING_RELEASE,
      namespace: props.namespace,
      chart: CHARTS.kubePrometheusStack,
      values,
      dependsOn: props.dependsOn,
    });
    this.release
      .suppressRendered(
        'DaemonSet/kube-prometheus-stack-prometheus-node-exporter',
        'TAI-K8S-5',
        'node-exporter reports the node itself: host network and PID namespaces are what it measures (non-root, read-only, no escalation, in the privileged monitoring namespace)',
      )
      .suppressRendered(
        'Deployment/kube-prometheus-stack-grafana',
        'TAI-K8S-3',
        'the dashboard and datasource sidecars are reload loops that serve no traffic (readiness gates nothing); Grafana\'s own container has both probes',
      )
      .suppressRendered(
        'Deployment/kube-prometheus-stack-grafana',
        'TAI-K8S-8',
        'the grafana 12.11.1 sub-chart has no readOnlyRootFilesystem key in containerSecurityContext, sidecar.securityContext or downloadDashboards.securityContext (only keys of the pinned defaults may be set); the containers run non-root, without escalation or capabilities',
      );
    this.alertmanagerUrl = `http://kube-prometheus-stack-alertmanager.${props.namespace}.svc:9093`;
    this.runbookUrl = props.alertmanager.runbookUrl;
    this.environment = props.environment;
  }

  private readonly runbookUrl: string;
  private readonly environment: string;

  /**
   * Adds a rule file `name` of alert rules known only after later parts are built (the backups'
   * rules come from the data services' schedules). Each alert carries the same labels and runbook
   * link as the platform's own rules.
   */
  addRules(name: string, rules: readonly AlertRule[]): void {
    if (rules.length === 0) return;
    const [group] = ruleGroups(rules, this.runbookUrl, this.environment);
    this.release.addValues({ additionalPrometheusRulesMap: { [name]: { groups: [{ ...group, name }] } } });
  }
}
