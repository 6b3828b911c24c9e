/**
 * metrics-server (K8S-3): the resource metrics API the HorizontalPodAutoscalers read. Owns its
 * chart and values; it needs no cloud identity.
 */
import { Construct } from 'constructs';
import { ChartRelease } from '../helm/chart-release';
import { CHARTS } from '../helm/charts';
import { NodePlacement } from '../nodepools/placement';

/** Where an add-on's pods run: the system pool's selector and tolerations. */
export interface AddonPlacement {
  readonly nodeSelector: NodePlacement['nodeSelector'];
  readonly tolerations: NodePlacement['tolerations'];
}

export interface MetricsServerProps {
  readonly namespace: string;
  /** 2 where the system pool has two nodes or more (then a PDB keeps one up during drains), else 1. */
  readonly replicas: number;
  readonly placement: AddonPlacement;
}

export class MetricsServer extends ChartRelease {
  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id, {
      name: 'metrics-server',
      namespace: props.namespace,
      chart: CHARTS.metricsServer,
      values: {
        replicas: props.replicas,
        nodeSelector: props.placement.nodeSelector,
        tolerations: props.placement.tolerations,
        podDisruptionBudget: props.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        // values.yaml documents `limits` as a commented-out block under `resources`.
        resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '1', memory: '400Mi' } },
      },
    });
  }
}
