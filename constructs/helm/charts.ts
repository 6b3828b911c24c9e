/**
 * Every Helm chart the program installs, pinned in one place (exact versions, https or oci
 * repositories). `valuesDir` names the folder of `../shared/charts/` holding that version's
 * default values, against which tests check every values path a release sets.
 */
export interface ChartRef {
  /** Chart name in its repository (for oci repositories, the last path segment). */
  readonly chart: string;
  /** https index URL, or the oci:// registry path without the chart name. */
  readonly repository: string;
  /** Exact chart version: never a range. */
  readonly version: string;
  /** Folder of ../shared/charts holding this version's values.yaml. */
  readonly valuesDir: string;
}

function ref(chart: string, repository: string, version: string, valuesDir = chart): ChartRef {
  return { chart, repository, version, valuesDir };
}

export const CHARTS = {
  kubePrometheusStack: ref('kube-prometheus-stack', 'https://prometheus-community.github.io/helm-charts', '88.5.3'),
  postgresExporter: ref('prometheus-postgres-exporter', 'https://prometheus-community.github.io/helm-charts', '8.2.0'),
  mongodbExporter: ref('prometheus-mongodb-exporter', 'https://prometheus-community.github.io/helm-charts', '3.22.0'),
  eckOperator: ref('eck-operator', 'https://helm.elastic.co', '3.5.0'),
  eckElasticsearch: ref('eck-elasticsearch', 'https://helm.elastic.co', '0.20.0'),
  eckKibana: ref('eck-kibana', 'https://helm.elastic.co', '0.20.0'),
  eckLogstash: ref('eck-logstash', 'https://helm.elastic.co', '0.20.0'),
  vault: ref('vault', 'https://helm.releases.hashicorp.com', '0.34.1'),
  cloudnativePg: ref('cloudnative-pg', 'https://cloudnative-pg.github.io/charts', '0.29.0'),
  psmdbOperator: ref('psmdb-operator', 'https://percona.github.io/percona-helm-charts/', '1.22.0'),
  psmdbDb: ref('psmdb-db', 'https://percona.github.io/percona-helm-charts/', '1.22.2'),
  awsLoadBalancerController: ref('aws-load-balancer-controller', 'https://aws.github.io/eks-charts', '3.5.0'),
  velero: ref('velero', 'https://vmware-tanzu.github.io/helm-charts', '12.1.0'),
  externalSecrets: ref('external-secrets', 'https://charts.external-secrets.io', '2.9.0'),
  metricsServer: ref('metrics-server', 'https://kubernetes-sigs.github.io/metrics-server/', '3.13.1'),
  clusterAutoscaler: ref('cluster-autoscaler', 'https://kubernetes.github.io/autoscaler', '9.59.0'),
  falco: ref('falco', 'https://falcosecurity.github.io/charts', '9.1.0'),
  argoRollouts: ref('argo-rollouts', 'https://argoproj.github.io/argo-helm', '2.41.0'),
  keda: ref('keda', 'https://kedacore.github.io/charts', '2.20.2'),
  trivyOperator: ref('trivy-operator', 'https://aquasecurity.github.io/helm-charts/', '0.34.0'),
} as const satisfies Record<string, ChartRef>;

