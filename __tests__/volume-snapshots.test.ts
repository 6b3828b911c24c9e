/**
 * Issue 13: CSI volume snapshots as a platform capability (the EKS snapshot-controller add-on, the
 * VolumeSnapshotClasses), ChromaDB's scheduled snapshots within the database RPO, their alerts, and
 * `data.chroma.restore`, which creates Chroma's claims from snapshots the schedule wrote (same
 * namespace, claim names, class), rendered by real helm and checked against the add-on's CRDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdktf';
import { definitionProblems, environment, Json, resourceAt, resources, stacksFor, synth, shipped } from './helpers';
import { findOrderingProblems } from '../scripts/dependency-order';
import { renderPlatformStack } from '../scripts/helm/platform';
import { schemaProblems } from '../scripts/helm/suite';
import { recoveryRows, renderTable, RTO_ASSUMPTIONS } from '../scripts/recovery-table';
import { CHROMA_STORAGE, MONGODB_STORAGE, mongodbClaimNames } from '../features/data/contract';
import { MONGODB_DATA_CLAIM_TEMPLATE } from '../constructs/data/mongodb';
import { ROTATING_VOLUME_SNAPSHOT_CLASS, VOLUME_SNAPSHOT_CLASS } from '../features/cluster-addons/contract';
import { EKS_VERSIONS } from '../environments/catalog';
import { snapshotNameOf, snapshotScript, SNAPSHOT_CLAIM_LABEL, SNAPSHOT_SCHEDULE_LABEL } from '../constructs/data/volume-snapshot-schedule';

jest.setTimeout(600_000);

const prodCloud = shipped('production').cloud;
const prodPlatform = shipped('production').platform;
const devPlatform = shipped('development').platform;
const first = (v: any) => (Array.isArray(v) ? v[0] : v);
const valuesOf = (r: Json) => JSON.parse(r.values[0]);
const release = (json: Json, name: string) => {
  const found = resources(json, 'helm_release').filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('the snapshot-controller add-on (cloud stack)', () => {
  test('pinned per EKS version, created after the nodes and the EBS CSI driver, no IAM role of its own', () => {
    const addon = resourceAt(prodCloud, 'aws_eks_addon', 'addons/snapshot-controller');
    const ebs = resourceAt(prodCloud, 'aws_eks_addon', 'addons/aws-ebs-csi-driver');
    expect(addon.addon_name).toBe('snapshot-controller');
    expect(addon.addon_version).toBe(EKS_VERSIONS['1.35']['snapshot-controller']);
    expect(addon.depends_on).toContain(`aws_eks_addon.${ebs.__name}`);
    expect(addon.pod_identity_association).toBeUndefined();
    expect(addon.service_account_role_arn).toBeUndefined();
  });
});

describe('the VolumeSnapshotClasses (platform stack)', () => {
  test('staging/production retain snapshots; the rotating class always deletes; tied to the add-on build', () => {
    const v = valuesOf(release(prodPlatform, 'volume-snapshot-class'));
    expect(v.classes).toEqual([
      { name: VOLUME_SNAPSHOT_CLASS, deletionPolicy: 'Retain' },
      { name: ROTATING_VOLUME_SNAPSHOT_CLASS, deletionPolicy: 'Delete' },
    ]);
    expect(v.tags).toEqual({ 'toronto-ai.io/environment': 'production' });
    const dev = valuesOf(release(devPlatform, 'volume-snapshot-class'));
    expect(dev.classes[0]).toEqual({ name: VOLUME_SNAPSHOT_CLASS, deletionPolicy: 'Delete' });
    // The add-on's version is read across stacks: the platform cannot be planned before the add-on exists.
    expect(v.controllerAddonVersion).toMatch(/snapshot-controller.*addon_version/);
    expect(release(prodPlatform, 'volume-snapshot-class').description).toBe('local chart volume-snapshot-class');
  });

  test('the ordering walker refuses the class when nothing ties it to the add-on', () => {
    expect(findOrderingProblems(devPlatform)).toEqual([]);
    const cut = JSON.parse(JSON.stringify(devPlatform));
    const r = Object.values(cut.resource.helm_release as Record<string, Json>).find((x) => x.name === 'volume-snapshot-class')!;
    const v = JSON.parse(r.values[0]);
    v.controllerAddonVersion = 'v8.2.0-eksbuild.1';
    r.values = [JSON.stringify(v)];
    expect(findOrderingProblems(cut).map((f) => f.uses)).toEqual(['CRD/VolumeSnapshotClass']);
  });
});

describe('ChromaDB: scheduled volume snapshots (5-minute RPO in staging/production)', () => {
  const cron = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'chroma-snapshots/cron-job');
  const spec = first(cron.spec);
  const job = first(first(spec.job_template).spec);
  const pod = first(first(job.template).spec);
  const container = first(pod.container);
  const script: string = container.command[2];

  test('every 5 minutes, each run over before the next, one at a time', () => {
    expect(spec.schedule).toBe('*/5 * * * *');
    expect(spec.concurrency_policy).toBe('Forbid');
    expect(job.active_deadline_seconds).toBe(240);
    expect(first(cron.metadata).namespace).toMatch(/vector/);
  });

  test('snapshots the claim names of the contract through the rotating class, keeps a bounded number, waits for readiness', () => {
    expect(script).toContain(`for claim in ${CHROMA_STORAGE.claimOf(0)}; do`);
    expect(script).toContain(`volumeSnapshotClassName: ${ROTATING_VOLUME_SNAPSHOT_CLASS}`);
    expect(script).toContain(`${SNAPSHOT_SCHEDULE_LABEL}=${CHROMA_STORAGE.snapshotJob},${SNAPSHOT_CLAIM_LABEL}="$claim"`);
    // keep 288: prune to 287 before the new one
    expect(script).toContain('excess=$((count - 287))');
    expect(script).toContain("jsonpath='{.status.readyToUse}'");
    expect(script).toBe(snapshotScript({ name: CHROMA_STORAGE.snapshotJob, namespace: first(cron.metadata).namespace, claims: [CHROMA_STORAGE.claimOf(0)], snapshotClass: ROTATING_VOLUME_SNAPSHOT_CLASS, keep: 288 }));
    expect(container.image).toBe(environment('production').data.jobImages.kubectlShell);
  });

  test('least privilege: a Role that creates, gets, lists and deletes VolumeSnapshots, and gets only the claims', () => {
    const role = resourceAt(prodPlatform, 'kubernetes_role_v1', 'chroma-snapshots/role');
    expect(role.rule).toEqual([
      { api_groups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'delete'] },
      { api_groups: [''], resources: ['persistentvolumeclaims'], resource_names: [CHROMA_STORAGE.claimOf(0)], verbs: ['get'] },
    ]);
    const binding = resourceAt(prodPlatform, 'kubernetes_role_binding_v1', 'chroma-snapshots/role-binding');
    expect(first(binding.subject)).toMatchObject({ kind: 'ServiceAccount', name: expect.stringContaining('chroma-snapshots_service-account') });
    expect(first(resourceAt(prodPlatform, 'kubernetes_service_account_v1', 'chroma-snapshots/service-account').metadata).name).toBe(CHROMA_STORAGE.snapshotJob);
    expect(pod.service_account_name).toContain('chroma-snapshots_service-account');
    expect(resources(prodPlatform, 'kubernetes_cluster_role_binding_v1').filter((b) => JSON.stringify(b).includes(CHROMA_STORAGE.snapshotJob))).toEqual([]);
  });

  test('alerts: the snapshot job failed, and the newest ready snapshot is older than the schedule allows', () => {
    const kps = release(prodPlatform, 'kube-prometheus-stack');
    const rules = valuesOf(kps).additionalPrometheusRulesMap['toronto-ai-backups'].groups.flatMap((g: Json) => g.rules);
    const failed = rules.find((r: Json) => r.alert === 'BackupJobFailedChromaSnapshot');
    const stale = rules.find((r: Json) => r.alert === 'BackupStaleChromaSnapshot');
    expect(failed.expr).toContain('cronjob="chroma-snapshot"');
    // 5-minute gap + 240 s deadline
    expect(stale.expr).toMatch(/cronjob="chroma-snapshot"\}\) > 540$/);
  });

  test('the definition: staging/production snapshot within the RPO; a restore names one snapshot per replica', () => {
    expect(definitionProblems('staging', (d) => (d.data.chroma.snapshotSchedule = '0 * * * *'))).toEqual([
      "staging.data.chroma.snapshotSchedule: '0 * * * *' leaves up to 60 minutes between volume snapshots, above the database RPO of 5 minutes (backup.databaseRpoMinutes); e.g. '*/5 * * * *'",
    ]);
    expect(definitionProblems('development', (d) => (d.data.chroma.snapshotSchedule = '0 * * * *'))).toEqual([]);
    expect(definitionProblems('production', (d) => (d.data.chroma.restore = { snapshots: ['data-chroma-0-202611291040', 'data-chroma-1-202611291040'] }))).toEqual([
      'production.data.chroma.restore.snapshots: names 2 snapshot(s) for 1 replica(s); name one VolumeSnapshot per replica, in order',
    ]);
    expect(definitionProblems('production', (d) => (d.data.chroma.restore = { snapshots: ['Data_Chroma'] }))[0]).toMatch(/^production\.data\.chroma\.restore\.snapshots\.0: must be a VolumeSnapshot name/);
    expect(definitionProblems('production', (d) => (d.data.chroma.snapshotsKept = 1))[0]).toMatch(/^production\.data\.chroma\.snapshotsKept: /);
  });
});

describe('data.chroma.restore: claims created from the snapshots the schedule wrote', () => {
  const SNAPSHOT = 'data-chroma-0-202611291040';
  const mutate = (d: any) => (d.data.chroma.restore = { snapshots: [SNAPSHOT] });
  const restoredStacks = stacksFor('production', mutate);
  const restored = synth(restoredStacks.platform);

  test('in the namespace the snapshots are in, with the claim name the StatefulSet adopts, before the Chroma release', () => {
    const r = release(restored, 'chroma-restored-claims');
    const schedule = resourceAt(restored, 'kubernetes_cron_job_v1', 'chroma-snapshots/cron-job');
    expect(r.namespace).toBe(first(schedule.metadata).namespace);
    expect(r.description).toBe('local chart restored-claims');
    // Not waited for: the claim binds when Chroma's pod is scheduled (WaitForFirstConsumer).
    expect(r.wait).toBe(false);
    const v = valuesOf(r);
    const chroma = valuesOf(release(restored, 'chroma'));
    expect(v.claims).toEqual([
      { name: CHROMA_STORAGE.claimOf(0), snapshot: SNAPSHOT, storageClass: chroma.volume.storageClass, size: chroma.volume.size, accessModes: ['ReadWriteOnce'] },
    ]);
    // The access mode of the chart's claim template (charts/chroma), which the claim must match to be adopted.
    expect(readFileSync(join(__dirname, '..', '..', 'charts', 'chroma', 'templates', 'statefulset.yaml'), 'utf8')).toMatch(/accessModes: \["ReadWriteOnce"\]/);
    // The snapshot is one the schedule names: `<claim>-<stamp>`, of the claim it restores.
    expect(SNAPSHOT.startsWith(`${CHROMA_STORAGE.claimOf(0)}-`)).toBe(true);
    expect(release(restored, 'chroma').depends_on).toContain(`helm_release.${r.__name}`);
    // Protected like every data-owning release in production.
    expect(r.lifecycle).toEqual({ prevent_destroy: true });
    expect(findOrderingProblems(restored)).toEqual([]);
    expect(resources(prodPlatform, 'helm_release').filter((x) => x.name === 'chroma-restored-claims')).toEqual([]);
  });

  test('renders (real helm) into a claim from the VolumeSnapshot, kept by helm, valid against the API; the classes validate against the add-on CRDs', async () => {
    // The folder that synth wrote (stacks and their assets, as `cdktf synth` writes them).
    const outdir = (restoredStacks.platform.node.root as App).outdir;
    {
      const read = (id: string) => JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
      const rendered = await renderPlatformStack('production-platform', read('production-platform'), read('production'), join(outdir, 'stacks', 'production-platform'));
      expect(rendered.externalCrds.map((o) => o.object.spec.names.kind).sort()).toEqual(['VolumeSnapshot', 'VolumeSnapshotClass', 'VolumeSnapshotContent']);
      const claims = rendered.releases.find((r) => r.name === 'chroma-restored-claims')!;
      expect(claims.error).toBeUndefined();
      const pvc = claims.objects.map((o) => o.object).find((o) => o.kind === 'PersistentVolumeClaim')!;
      expect(pvc.metadata).toMatchObject({ name: CHROMA_STORAGE.claimOf(0), namespace: 'vector', annotations: { 'helm.sh/resource-policy': 'keep' } });
      expect(pvc.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: SNAPSHOT });
      const classes = rendered.releases.find((r) => r.name === 'volume-snapshot-class')!.objects.map((o) => o.object);
      expect(classes.map((c) => [c.metadata.name, c.driver, c.deletionPolicy])).toEqual([
        [VOLUME_SNAPSHOT_CLASS, 'ebs.csi.aws.com', 'Retain'],
        [ROTATING_VOLUME_SNAPSHOT_CLASS, 'ebs.csi.aws.com', 'Delete'],
      ]);
      // Only these releases' objects are validated (each object's check is independent of the
      // others); every release's CRDs stay, so a custom resource finds its schema as in the full check.
      const ofInterest = (r: { path: string }) => /restore|snapshot/.test(r.path);
      const narrowed = (releases: typeof rendered.releases) => ({
        ...rendered,
        releases: releases.map((r) => (ofInterest(r) ? r : { ...r, objects: r.objects.filter((o) => o.object.kind === 'CustomResourceDefinition') })),
      });
      // (the snapshot jobs' admission policies too: built-in kinds, validated against the API schema)
      expect(rendered.releases.filter(ofInterest).map((r) => r.name).sort()).toEqual([
        'chroma-restored-claims', 'chroma-snapshot-guard', 'mongodb-snapshot-guard', 'postgres-snapshot-rotation-guard', 'volume-snapshot-class',
      ]);
      const problems = await schemaProblems({ rendered: narrowed(rendered.releases) } as any);
      const ours = Object.fromEntries(Object.entries(problems).filter(([k]) => /restore|snapshot/.test(k)));
      expect(ours).toEqual({});
      // A class the CRD does not allow is caught (the check is live).
      const broken = rendered.releases.map((r) => (r.name === 'volume-snapshot-class' ? { ...r, objects: r.objects.map((o) => ({ ...o, object: { ...o.object, deletionPolicy: 'Keep' } })) } : r));
      expect(Object.keys(await schemaProblems({ rendered: narrowed(broken) } as any)).filter((k) => k.includes('VolumeSnapshotClass'))).toHaveLength(2);
    }
  });
});

describe('MongoDB: scheduled volume snapshots of every member in one run (5-minute RPO in staging/production)', () => {
  const cron = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'mongodb-snapshots/cron-job');
  const spec = first(cron.spec);
  const pod = first(first(first(first(spec.job_template).spec).template).spec);
  const script: string = first(pod.container).command[2];
  const psmdb = valuesOf(resourceAt(prodPlatform, 'helm_release', 'mongodb/replica-set/release'));
  // The claims the operator's StatefulSet `<cluster>-<replset>` gets from its template `mongod-data`.
  const operatorClaims = Array.from({ length: psmdb.replsets.rs0.size }, (_, i) => `${MONGODB_DATA_CLAIM_TEMPLATE}-${psmdb.fullnameOverride}-${psmdb.replsets.rs0.name}-${i}`);

  test('the contract names the claims the operator creates: mongod-data-mongodb-rs0-<i>, one per member', () => {
    expect(operatorClaims).toEqual(['mongod-data-mongodb-rs0-0', 'mongod-data-mongodb-rs0-1', 'mongod-data-mongodb-rs0-2']);
    expect(mongodbClaimNames(3)).toEqual(operatorClaims);
    expect(psmdb.fullnameOverride).toBe(MONGODB_STORAGE.cluster);
  });

  test('every 5 minutes in data, all three members in one run, through the rotating class, 288 kept, waits for readiness', () => {
    expect(spec.schedule).toBe('*/5 * * * *');
    expect(spec.concurrency_policy).toBe('Forbid');
    expect(first(cron.metadata)).toMatchObject({ name: MONGODB_STORAGE.snapshotJob, namespace: expect.stringMatching(/data/) });
    expect(script).toBe(snapshotScript({ name: MONGODB_STORAGE.snapshotJob, namespace: first(cron.metadata).namespace, claims: operatorClaims, snapshotClass: ROTATING_VOLUME_SNAPSHOT_CLASS, keep: 288 }));
    // One loop over all members creates the snapshots with one stamp; the second waits for all of them.
    expect(script).toContain(`for claim in ${operatorClaims.join(' ')}; do`);
    expect(script.match(/stamp="\$\(date/g)).toHaveLength(1);
    expect(script).toContain('  name: $claim-$stamp');
    expect(snapshotNameOf('mongod-data-mongodb-rs0-1', '202611291040')).toBe('mongod-data-mongodb-rs0-1-202611291040');
  });

  test('least privilege: its Role creates/gets/lists/deletes VolumeSnapshots in data and gets only the member claims', () => {
    const role = resourceAt(prodPlatform, 'kubernetes_role_v1', 'mongodb-snapshots/role');
    expect(role.rule).toEqual([
      { api_groups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'get', 'list', 'delete'] },
      { api_groups: [''], resources: ['persistentvolumeclaims'], resource_names: operatorClaims, verbs: ['get'] },
    ]);
    expect(resources(prodPlatform, 'kubernetes_cluster_role_binding_v1').filter((b) => JSON.stringify(b).includes(MONGODB_STORAGE.snapshotJob))).toEqual([]);
    // After the replica set exists (its claims do) and the snapshot classes.
    expect(cron.depends_on).toEqual(expect.arrayContaining([expect.stringContaining('mongodb_replica-set_release')]));
  });

  test('alerts: a failed run and no ready snapshot within the schedule', () => {
    const kps = release(prodPlatform, 'kube-prometheus-stack');
    const rules = valuesOf(kps).additionalPrometheusRulesMap['toronto-ai-backups'].groups.flatMap((g: Json) => g.rules);
    expect(rules.find((r: Json) => r.alert === 'BackupJobFailedMongodbSnapshot').expr).toContain('cronjob="mongodb-snapshot"');
    expect(rules.find((r: Json) => r.alert === 'BackupStaleMongodbSnapshot').expr).toMatch(/cronjob="mongodb-snapshot"\}\) > 540$/);
  });

  test('the definition: staging/production snapshot within the RPO; a restore reads one source', () => {
    expect(definitionProblems('production', (d) => (d.data.mongodb.snapshotSchedule = '0 * * * *'))).toEqual([
      "production.data.mongodb.snapshotSchedule: '0 * * * *' leaves up to 60 minutes between volume snapshots, above the database RPO of 5 minutes (backup.databaseRpoMinutes); e.g. '*/5 * * * *'",
    ]);
    expect(definitionProblems('testing', (d) => (d.data.mongodb.snapshotSchedule = '0 * * * *'))).toEqual([]);
    expect(definitionProblems('staging', (d) => (d.data.mongodb.restore = { snapshotRun: '202611291040', baseBackup: '2026-11-20T06:30:21Z' }))).toEqual([
      'staging.data.mongodb.restore: names both a snapshot run (snapshotRun) and a PBM point-in-time restore (baseBackup/targetTime); a restore reads one source: keep one of them',
    ]);
    expect(definitionProblems('staging', (d) => (d.data.mongodb.restore = { snapshotRun: '202611291040', targetTime: '2026-11-20T06:30:21Z' }))[0]).toMatch(/^staging\.data\.mongodb\.restore: names both/);
    expect(definitionProblems('staging', (d) => (d.data.mongodb.restore = {}))).toEqual([
      'staging.data.mongodb.restore: names no source; set snapshotRun (volume snapshots of one run) or baseBackup (PBM point in time, with an optional targetTime)',
    ]);
    expect(definitionProblems('staging', (d) => (d.data.mongodb.restore = { snapshotRun: '2026-11-29T10:40' }))[0]).toMatch(/^staging\.data\.mongodb\.restore\.snapshotRun: must be the YYYYMMDDhhmm stamp/);
    expect(definitionProblems('staging', (d) => (d.data.mongodb.snapshotsKept = 1))[0]).toMatch(/^staging\.data\.mongodb\.snapshotsKept: /);
  });
});

describe('data.mongodb.restore.snapshotRun: member claims created from one run of the snapshots the schedule wrote', () => {
  const STAMP = '202611291040';
  const restored = synth(stacksFor('production', (d) => (d.data.mongodb.restore = { snapshotRun: STAMP })).platform);

  test('in the namespace and through the class the snapshots are written to, with the operator\'s claim names and template, before the replica set', () => {
    const r = release(restored, MONGODB_STORAGE.restoredClaims);
    const schedule = resourceAt(restored, 'kubernetes_cron_job_v1', 'mongodb-snapshots/cron-job');
    const script: string = first(first(first(first(first(schedule.spec).job_template).spec).template).spec).container[0].command[2];
    expect(r.namespace).toBe(first(schedule.metadata).namespace);
    expect(r.description).toBe('local chart restored-claims');
    expect(r.wait).toBe(false);
    const psmdbRelease = resourceAt(restored, 'helm_release', 'mongodb/replica-set/release');
    const psmdb = valuesOf(psmdbRelease);
    const pvc = psmdb.replsets.rs0.volumeSpec.pvc;
    const claims = Array.from({ length: 3 }, (_, i) => `${MONGODB_DATA_CLAIM_TEMPLATE}-${psmdb.fullnameOverride}-${psmdb.replsets.rs0.name}-${i}`);
    expect(valuesOf(r).claims).toEqual(
      claims.map((name) => ({
        name,
        snapshot: `${name}-${STAMP}`,
        storageClass: pvc.storageClassName,
        size: pvc.resources.requests.storage,
        accessModes: ['ReadWriteOnce'],
        // The StatefulSet's selector labels, which it puts on the claims it creates (admission-policies.test.ts renders them).
        labels: expect.objectContaining({ 'app.kubernetes.io/instance': psmdb.fullnameOverride, 'app.kubernetes.io/replset': psmdb.replsets.rs0.name }),
      })),
    );
    // The snapshot names are those the schedule gives: the claims it snapshots, through the class it uses.
    for (const c of claims) expect(script).toContain(c);
    expect(script).toContain('name: $claim-$stamp');
    // The operator creates the StatefulSet from the PerconaServerMongoDB resource: the claims come first.
    expect(psmdbRelease.depends_on).toContain(`helm_release.${r.__name}`);
    expect(r.depends_on).toEqual(expect.arrayContaining([expect.stringContaining('volume-snapshot-class')]));
    expect(r.lifecycle).toEqual({ prevent_destroy: true });
    expect(findOrderingProblems(restored)).toEqual([]);
    // A snapshot restore is not a PBM restore, and no restore synthesizes neither.
    expect(resources(restored, 'helm_release').filter((x) => x.name === 'mongodb-restore')).toEqual([]);
    expect(resources(prodPlatform, 'helm_release').filter((x) => x.name === MONGODB_STORAGE.restoredClaims)).toEqual([]);
  });

  test('a PBM restore creates no claims', () => {
    const pbm = synth(stacksFor('production', (d) => (d.data.mongodb.restore = { baseBackup: '2026-11-20T06:30:21Z' })).platform);
    expect(resources(pbm, 'helm_release').filter((x) => x.name === MONGODB_STORAGE.restoredClaims)).toEqual([]);
    expect(resources(pbm, 'helm_release').filter((x) => x.name === 'mongodb-restore')).toHaveLength(1);
  });
});

describe('recovery table: RTO from the synthesized stacks', () => {
  const env = environment('production');
  const rows = recoveryRows(env, prodPlatform);
  const row = (store: string) => rows.find((r) => r.store === store)!;

  test('ChromaDB meets both objectives through the volume snapshots; without the snapshot job it falls back to the daily copy', () => {
    const c = row('ChromaDB');
    expect(c).toMatchObject({ rpoMinutes: 5, rtoMinutes: RTO_ASSUMPTIONS.volumeFromSnapshotMinutes + RTO_ASSUMPTIONS.startMinutes });
    expect(c.alerts).toEqual(expect.arrayContaining(['BackupJobFailedChromaSnapshot', 'BackupStaleChromaSnapshot']));
    const cut = JSON.parse(JSON.stringify(prodPlatform));
    for (const [k, j] of Object.entries(cut.resource.kubernetes_cron_job_v1 as Record<string, Json>)) {
      if (first(j.metadata).name === CHROMA_STORAGE.snapshotJob) delete cut.resource.kubernetes_cron_job_v1[k];
    }
    const daily = recoveryRows(env, cut).find((r) => r.store === 'ChromaDB')!;
    expect(daily.rpoMinutes).toBe(1440);
    expect(daily.rtoMinutes).toBe(Math.ceil((1024 * 1024) / RTO_ASSUMPTIONS.s3PhysicalMiBps / 60) + RTO_ASSUMPTIONS.startMinutes);
    expect(renderTable([daily])).toContain('(misses)');
  });

  test('PostgreSQL restores from its volume snapshots within the RTO', () => {
    const pg = row('PostgreSQL');
    // 15-minute snapshots: a claim, the start, and at most (15 + 5) minutes of WAL replayed at 4x.
    expect(pg.rtoMinutes).toBe(RTO_ASSUMPTIONS.volumeFromSnapshotMinutes + RTO_ASSUMPTIONS.startMinutes + Math.ceil((15 + RTO_ASSUMPTIONS.snapshotReadyMinutes) / RTO_ASSUMPTIONS.walReplaySpeedup));
    expect(renderTable([pg])).toContain(`| ${pg.rtoMinutes} min (meets)`);
  });

  test('MongoDB meets both objectives through the member snapshots; PBM stays the point-in-time path; without the snapshot job the row is the 2 TiB logical restore', () => {
    const m = row('MongoDB');
    expect(m).toMatchObject({ rpoMinutes: 5, rtoMinutes: RTO_ASSUMPTIONS.volumeFromSnapshotMinutes + RTO_ASSUMPTIONS.startMinutes });
    expect(m.rtoLowerBound).toBeUndefined();
    expect(m.alerts).toEqual(['BackupJobFailedMongodbSnapshot', 'BackupStaleMongodbSnapshot', 'MongoDBPITRNotRunning', 'MongoDBBackupAgentUnhealthy', 'MongoDBBaseBackupFailed', 'MongoDBBaseBackupStale']);
    expect(m.mechanism).toContain('of the 3 member volume(s) in one run');
    expect(m.mechanism).toContain('point in time: Percona Backup for MongoDB: oplog slices every 2 min');
    expect(m.note).toBe('point in time to 2 min through PBM, at its restore time');
    expect(renderTable([m])).toContain('| 5 min (meets); point in time to 2 min through PBM, at its restore time | 15 min | 7 min (meets): ');
    const cut = JSON.parse(JSON.stringify(prodPlatform));
    for (const [k, j] of Object.entries(cut.resource.kubernetes_cron_job_v1 as Record<string, Json>)) {
      if (first(j.metadata).name === MONGODB_STORAGE.snapshotJob) delete cut.resource.kubernetes_cron_job_v1[k];
    }
    const logical = recoveryRows(env, cut).find((r) => r.store === 'MongoDB')!;
    expect(logical.rtoMinutes).toBe(Math.ceil((2048 * 1024) / RTO_ASSUMPTIONS.s3LogicalMiBps / 60) + RTO_ASSUMPTIONS.startMinutes);
    expect(logical.rtoNote).toContain('logical');
    expect(renderTable([logical])).toContain(`≥ ${logical.rtoMinutes} min (misses)`);
    // A job that skips a member does not count either.
    const partial = JSON.parse(JSON.stringify(prodPlatform).split('mongod-data-mongodb-rs0-2').join('mongod-data-other-2'));
    expect(recoveryRows(env, partial).find((r) => r.store === 'MongoDB')!.rtoLowerBound).toBe(true);
  });
});
