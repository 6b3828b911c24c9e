import { Construct } from 'constructs';
import { AssetType, ITerraformDependable, TerraformAsset } from 'cdktf';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmValues } from '../helm/chart-release';

/**
 * The project's own charts (`<repository>/charts/<name>`): custom resources no pinned chart
 * creates, and a workload no pinned chart can run safely (charts/chroma).
 */
export const LOCAL_CHARTS_DIR = join(__dirname, '..', '..', '..', 'charts');

export interface LocalChartReleaseProps {
  /** Release name (unique per namespace). */
  readonly name: string;
  readonly namespace: string;
  /** Folder name under charts/ (with Chart.yaml, values.yaml and templates/). */
  readonly chart: string;
  /** Values; every path must exist in the local chart's values.yaml (checked by the tests). */
  readonly values: HelmValues;
  /** @default 900 */
  readonly timeoutSeconds?: number;
  /**
   * Wait for the release's resources to become ready (and roll back when they do not). False for
   * objects that become ready only once something else uses them, e.g. a claim of a
   * `WaitForFirstConsumer` class that binds when its pod is scheduled. @default true
   */
  readonly waitForResources?: boolean;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release of one of the project's own charts under charts/. Only where no pinned chart
 * will do (ARCHITECTURE: "a small local chart ... only if unavoidable"): custom resources, and
 * Chroma, whose published chart cannot run it non-root (constructs/data/chroma.ts). The
 * chart folder is copied into the stack's assets, so the synthesized stack is self-contained and
 * its path does not depend on the machine; every change of the chart changes the asset hash and
 * shows up in `cdktf diff`. Same release settings as ChartRelease (atomic, bounded history).
 */
export class LocalChartRelease extends Construct {
  readonly release: Release;
  readonly chartDir: string;
  readonly values: HelmValues;
  readonly releaseName: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: LocalChartReleaseProps) {
    super(scope, id);
    this.chartDir = join(LOCAL_CHARTS_DIR, props.chart);
    for (const file of ['Chart.yaml', 'values.yaml', 'templates']) {
      if (!existsSync(join(this.chartDir, file))) {
        throw new Error(`${this.node.path}: local chart '${props.chart}' has no ${file} in ${this.chartDir}`);
      }
    }
    this.values = props.values;
    this.releaseName = props.name;
    this.namespace = props.namespace;
    const asset = new TerraformAsset(this, 'chart', { path: this.chartDir, type: AssetType.DIRECTORY });
    this.release = new Release(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: `./${asset.path}`,
      // Names the chart folder (the asset path does not): reviewers and the ordering walker
      // (scripts/dependency-order.ts) read it.
      description: `local chart ${props.chart}`,
      values: [JSON.stringify(props.values)],
      ...(props.waitForResources === false ? { atomic: false, wait: false } : { atomic: true }),
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: props.timeoutSeconds ?? 900,
      dependsOn: props.dependsOn,
    });
  }
}
