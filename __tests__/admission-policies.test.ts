/**
 * SEC, issue 13 follow-up: the PostgreSQL snapshot rotation's cluster-wide `patch` on
 * VolumeSnapshotContents (and its deletes in `data`) confined by ValidatingAdmissionPolicies
 * (charts/admission-policies) to its own ScheduledBackup and to the one change it makes. The
 * expressions are asserted as written and run (the CEL subset of ./cel-subset.ts) against the
 * requests the job makes and those it must not; the chart is rendered by real helm and validated.
 * Also: MongoDB's claims restored from snapshots carry the labels the Percona operator finds its
 * claims by.
 */
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { admits, celSpecOutcome, evalCel, parseCel } from './cel-subset';
import { Json, resourceAt, resources, shipped, stacksFor, synth } from './helpers';
import { findOrderingProblems } from '../scripts/dependency-order';
import { binaries } from '../scripts/helm/binaries';
import { localChart } from '../scripts/helm/chart-packages';
import { parseRender, render } from '../scripts/helm/render';
import { validateBuiltins } from '../scripts/helm/schema';
import { LOCAL_CHARTS_DIR } from '../constructs/data/local-chart-release';
import { rotationAdmissionPolicies, rotationScript, scheduledBackupNamePattern } from '../constructs/data/snapshot-backup-rotation';
import { AdmissionPolicies, serviceAccountUser, userMatchExpression } from '../constructs/kubernetes/admission-policies';
import { mongodDataClaimLabels, MONGODB_REPLSET } from '../constructs/data/mongodb';
import { CHROMA_STORAGE, MONGODB_STORAGE, POSTGRES_SNAPSHOT_ROTATION } from '../features/data/contract';
import { ROTATING_VOLUME_SNAPSHOT_CLASS, VOLUME_SNAPSHOT_CLASS } from '../features/cluster-addons/contract';
import { scheduledSnapshotNamePattern, snapshotScript, SNAPSHOT_CLAIM_LABEL, SNAPSHOT_SCHEDULE_LABEL } from '../constructs/data/volume-snapshot-schedule';

jest.setTimeout(300_000);

const prodPlatform = shipped('production').platform;
const valuesOf = (r: Json) => JSON.parse(r.values[0]);
const first = (v: any) => (Array.isArray(v) ? v[0] : v);
const JOB = POSTGRES_SNAPSHOT_ROTATION.cronJob;
const NS = 'data';
const SB = 'postgres-snapshot-backup';
const USER = `system:serviceaccount:${NS}:${JOB}`;
const guardRelease = () => {
  const found = resources(prodPlatform, 'helm_release').filter((r) => r.name === `${JOB}-guard`);
  expect(found).toHaveLength(1);
  return found[0];
};
const policies = () => valuesOf(guardRelease()).policies as Json[];
/** The literal name of a namespace given as a reference to its kubernetes_namespace_v1. */
const namespaceOf = (ref: string) => {
  const m = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(ref);
  expect(m).not.toBeNull();
  return first((prodPlatform.resource.kubernetes_namespace_v1 as Record<string, Json>)[m![1]].metadata).name;
};

/**
 * CloudNativePG 1.30.0's name of the Backup a ScheduledBackup creates for a time (api/v1
 * scheduledbackup_funcs.go BackupName: `<name>-<ToCompactISO8601(t)>`, Go layout 20060102150405,
 * UTC as the controller schedules), written out independently of the pattern under test.
 */
function cnpgBackupName(scheduledBackup: string, at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${scheduledBackup}-${p(at.getUTCFullYear(), 4)}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
}

describe('the naming rule the policies encode', () => {
  test("a ScheduledBackup's Backups (and their data volume's snapshot, of the same name) match; others do not", () => {
    const re = new RegExp(scheduledBackupNamePattern(SB));
    expect(scheduledBackupNamePattern(SB)).toBe('^postgres-snapshot-backup-[0-9]{14}$');
    for (const at of ['2026-11-29T10:40:00Z', '2027-01-01T00:00:59Z', '2030-12-31T23:59:59Z']) expect(re.test(cnpgBackupName(SB, new Date(at)))).toBe(true);
    for (const other of [
      cnpgBackupName('postgres-postgres-base-backup', new Date('2026-11-29T06:00:00Z')), // the base backups' ScheduledBackup
      cnpgBackupName('postgres-snapshot', new Date('2026-11-29T06:00:00Z')),
      cnpgBackupName('postgres-snapshot-backup-2', new Date('2026-11-29T06:00:00Z')),
      `${cnpgBackupName(SB, new Date('2026-11-29T06:00:00Z'))}-wal`, // a WAL volume's snapshot (no WAL volume here)
      `${MONGODB_STORAGE.claimOf(0)}-202611291040`, // MongoDB's scheduled snapshot, in the same namespace
      'postgres-snapshot-backup-2026112910400', // 13 digits
      'x-postgres-snapshot-backup-20261129104000',
    ]) expect([other, re.test(other)]).toEqual([other, false]);
    // A dot of a DNS name is literal, never "any character".
    expect(new RegExp(scheduledBackupNamePattern('a.b')).test('axb-20261129104000')).toBe(false);
    expect(() => scheduledBackupNamePattern('Bad_Name')).toThrow(/lower-case DNS name/);
  });

  test('the Cluster has neither WAL storage nor tablespaces: the data volume is the only one snapshotted', () => {
    const cluster = valuesOf(resourceAt(prodPlatform, 'helm_release', 'postgres/cluster/release')).cluster;
    expect(cluster.backup.volumeSnapshot).toBeDefined();
    expect(cluster.walStorage).toBeUndefined();
    expect(cluster.tablespaces).toBeUndefined();
  });
});

describe('the rotation job is confined by admission policies (synthesized)', () => {
  test('two policies, bound to exactly the rotation service account, with the expressions as written', () => {
    const sa = resourceAt(prodPlatform, 'kubernetes_service_account_v1', 'postgres-snapshot-rotation/service-account');
    expect(first(sa.metadata).name).toBe(JOB);
    expect(namespaceOf(first(sa.metadata).namespace)).toBe(NS);
    expect(serviceAccountUser(NS, JOB)).toBe(USER);
    const ps = policies();
    expect(ps.map((p) => p.name)).toEqual([`${NS}-${JOB}-contents`, `${NS}-${JOB}-own-backups`]);
    for (const p of ps) expect(p.user).toBe(USER);
    expect(ps).toEqual(rotationAdmissionPolicies({ name: JOB, namespaceName: NS, scheduledBackup: SB }).map((p) => JSON.parse(JSON.stringify(p))));
    const [contents, own] = ps;
    expect(contents.resourceRules).toEqual([
      { apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['*'], operations: ['*'], resources: ['volumesnapshotcontents', 'volumesnapshotcontents/*'] },
    ]);
    expect(contents.validations.map((v: Json) => v.expression)).toEqual([
      "request.operation == 'UPDATE' && (!has(request.subResource) || request.subResource == '')",
      "oldObject.spec.volumeSnapshotRef.namespace == 'data'",
      "oldObject.spec.volumeSnapshotRef.name.matches('^postgres-snapshot-backup-[0-9]{14}$')",
      "oldObject.spec.deletionPolicy == 'Retain' && object.spec.deletionPolicy == 'Delete'",
      "dyn(object.spec).all(k, k in ['deletionPolicy'] || (k in dyn(oldObject.spec) && dyn(object.spec)[k] == dyn(oldObject.spec)[k])) && dyn(oldObject.spec).all(k, k in ['deletionPolicy'] || k in dyn(object.spec))",
      "dyn(object.metadata).all(k, k in ['resourceVersion', 'generation', 'managedFields'] || (k in dyn(oldObject.metadata) && dyn(object.metadata)[k] == dyn(oldObject.metadata)[k])) && dyn(oldObject.metadata).all(k, k in ['resourceVersion', 'generation', 'managedFields'] || k in dyn(object.metadata))",
    ]);
    expect(own.resourceRules.map((r: Json) => [r.apiGroups, r.resources])).toEqual([
      [['snapshot.storage.k8s.io'], ['volumesnapshots', 'volumesnapshots/*']],
      [['postgresql.cnpg.io'], ['backups', 'backups/*']],
    ]);
    expect(own.validations.map((v: Json) => v.expression)).toEqual([
      "request.operation == 'DELETE' && request.namespace == 'data'",
      "oldObject.metadata.name.matches('^postgres-snapshot-backup-[0-9]{14}$')",
    ]);
    // Every expression is inside the evaluated subset (a parse error would fail here).
    for (const p of ps) for (const v of p.validations) expect(() => parseCel(v.expression)).not.toThrow();
  });

  test('the release is in the job namespace, from the local chart; the CronJob is created after it and the walker insists', () => {
    const r = guardRelease();
    expect(r.description).toBe('local chart admission-policies');
    expect(namespaceOf(r.namespace)).toBe(NS);
    const cron = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'postgres-snapshot-rotation/cron-job');
    expect(cron.depends_on).toContain(`helm_release.${r.__name}`);
    // The cluster-wide right is still RBAC's (the policy only narrows it): get and patch, nothing more.
    const role = resourceAt(prodPlatform, 'kubernetes_cluster_role_v1', 'postgres-snapshot-rotation/cluster-role');
    expect(role.rule).toEqual([{ api_groups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotcontents'], verbs: ['get', 'patch'] }]);
    expect(findOrderingProblems(prodPlatform)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(prodPlatform));
    const c = Object.values(broken.resource.kubernetes_cron_job_v1 as Record<string, Json>).find((x) => first(x.metadata).name === JOB)!;
    c.depends_on = c.depends_on.filter((d: string) => d !== `helm_release.${r.__name}`);
    expect(findOrderingProblems(broken).map((f) => [f.uses, f.problem])).toEqual([
      [`Admission/${NS}/${JOB}`, `its service account is confined by the admission policies of helm_release.${r.__name}, which are not created before it`],
    ]);
  });

  test('only retained contents are switched by the script (the policy admits Retain -> Delete only)', () => {
    const script = rotationScript({
      namespace: NS, scheduledBackup: SB, keep: 3, snapshotSchedule: '0 0 * * * *', completionMinutes: 20,
      baseBackup: { scheduledBackup: 'b', schedule: '0 0 0 * * *', completionMinutes: 360 },
    });
    expect(script).toContain(`[ "$(kubectl get volumesnapshotcontent "$content" -o jsonpath='{.spec.deletionPolicy}')" = "Retain" ]; then`);
    expect(script).toContain(`kubectl patch volumesnapshotcontent "$content" --type=merge -p '{"spec":{"deletionPolicy":"Delete"}}'`);
  });
});

/** A VolumeSnapshotContent as the snapshot controller stores it, bound to `ns/name`. */
function content(ns: string, name: string, deletionPolicy = 'Retain'): Json {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: {
      name: 'snapcontent-5b0e8c9e-7a56-4c57-9d3c-0a1b2c3d4e5f',
      uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001',
      resourceVersion: '1001',
      generation: 1,
      creationTimestamp: '2026-11-29T10:40:02Z',
      finalizers: ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection'],
      managedFields: [{ manager: 'snapshot-controller', operation: 'Update' }],
    },
    spec: {
      deletionPolicy,
      driver: 'ebs.csi.aws.com',
      source: { volumeHandle: 'vol-0123456789abcdef0' },
      volumeSnapshotClassName: 'ebs-snapshots-retain',
      volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', name, namespace: ns, uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000002', resourceVersion: '900' },
    },
    status: { readyToUse: true, snapshotHandle: 'snap-0123456789abcdef0' },
  };
}

/** What the API server stores after `kubectl patch ... -p '{"spec":{"deletionPolicy":"Delete"}}'` (and `mutate`). */
function patched(old: Json, mutate: (o: Json) => void = () => undefined): Json {
  const o = JSON.parse(JSON.stringify(old));
  o.spec.deletionPolicy = 'Delete';
  o.metadata.resourceVersion = '1002';
  o.metadata.generation = 2;
  o.metadata.managedFields = [...o.metadata.managedFields, { manager: 'kubectl-patch', operation: 'Update' }];
  mutate(o);
  return o;
}

const OWN = cnpgBackupName(SB, new Date('2026-11-29T10:40:00Z'));
const updateRequest = (user = USER, extra: Json = {}) => ({
  operation: 'UPDATE', userInfo: { username: user }, resource: { group: 'snapshot.storage.k8s.io', version: 'v1', resource: 'volumesnapshotcontents' }, ...extra,
});

describe('the contents policy as written, evaluated', () => {
  const policy = () => policies()[0];
  /** Whether the policy admits the request: the user does not match, or every validation holds. */
  const admitted = (request: Json, oldObject: Json | null, object: Json | null) => {
    const vars = { request, oldObject, object };
    if (evalCel(userMatchExpression(policy().user), vars) !== true) return true;
    return policy().validations.every((v: Json) => admits(v.expression, vars));
  };
  const refusedBy = (request: Json, oldObject: Json | null, object: Json | null) =>
    policy().validations.filter((v: Json) => !admits(v.expression, { request, oldObject, object })).map((v: Json) => v.message);

  test("admits the job's own patch: a content of its ScheduledBackup in its namespace, Retain -> Delete", () => {
    const old = content(NS, OWN);
    expect(refusedBy(updateRequest(), old, patched(old))).toEqual([]);
    expect(admitted(updateRequest(), old, patched(old))).toBe(true);
  });

  test('refuses a content of another namespace, of another ScheduledBackup, or of MongoDB beside it', () => {
    for (const [ns, name] of [
      ['vector', OWN], // same name, Chroma's namespace
      ['vector', `${'data-chroma-0'}-202611291040`],
      [NS, `${MONGODB_STORAGE.claimOf(0)}-202611291040`], // MongoDB's retained snapshots in data
      [NS, cnpgBackupName('postgres-postgres-base-backup', new Date('2026-11-29T06:00:00Z'))],
      ['toronto-ai', OWN],
    ]) {
      const old = content(ns, name);
      expect([ns, name, admitted(updateRequest(), old, patched(old))]).toEqual([ns, name, false]);
    }
    expect(refusedBy(updateRequest(), content('vector', OWN), patched(content('vector', OWN)))).toEqual([`${JOB} may only change the contents of VolumeSnapshots in ${NS}`]);
  });

  test('refuses any other change: Delete -> Retain, a label, an annotation, a finalizer removed, the driver, the source, the snapshot reference', () => {
    const old = content(NS, OWN);
    const cases: Array<[string, Json, Json]> = [
      ['Delete -> Retain', content(NS, OWN, 'Delete'), { ...content(NS, OWN, 'Retain') }],
      ['a label', old, patched(old, (o) => (o.metadata.labels = { x: 'y' }))],
      ['an annotation', old, patched(old, (o) => (o.metadata.annotations = { 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted': 'yes' }))],
      ['the finalizer removed', old, patched(old, (o) => delete o.metadata.finalizers)],
      ['the driver', old, patched(old, (o) => (o.spec.driver = 'other.csi'))],
      ['the source', old, patched(old, (o) => (o.spec.source = { volumeHandle: 'vol-other' }))],
      ['the class removed', old, patched(old, (o) => delete o.spec.volumeSnapshotClassName)],
      ['a field added', old, patched(old, (o) => (o.spec.sourceVolumeMode = 'Block'))],
      ['re-pointed to another snapshot', old, patched(old, (o) => (o.spec.volumeSnapshotRef.name = 'elsewhere'))],
      ['Retain kept, an owner added', old, { ...patched(old, (o) => (o.metadata.ownerReferences = [{ kind: 'X', name: 'y' }])), spec: old.spec }],
    ];
    for (const [what, before, after] of cases) expect([what, admitted(updateRequest(), before, after)]).toEqual([what, false]);
    // A foreign content re-pointed at the job's own snapshot name is judged by what it was.
    const foreign = content('vector', 'data-chroma-0-202611291040');
    expect(admitted(updateRequest(), foreign, patched(foreign, (o) => (o.spec.volumeSnapshotRef = { ...o.spec.volumeSnapshotRef, namespace: NS, name: OWN })))).toBe(false);
  });

  test('refuses create, delete and status updates by the job', () => {
    const old = content(NS, OWN);
    expect(admitted(updateRequest(USER, { operation: 'DELETE' }), old, null)).toBe(false);
    expect(admitted(updateRequest(USER, { operation: 'CREATE' }), null, content(NS, OWN))).toBe(false);
    expect(admitted(updateRequest(USER, { subResource: 'status' }), old, patched(old))).toBe(false);
    // An empty subResource (the field present) is the main resource.
    expect(admitted(updateRequest(USER, { subResource: '' }), old, patched(old))).toBe(true);
  });

  test('other users are untouched: the snapshot controller, the MongoDB snapshot job, an administrator', () => {
    const foreign = content('vector', 'data-chroma-0-202611291040');
    for (const user of ['system:serviceaccount:kube-system:snapshot-controller', serviceAccountUser(NS, MONGODB_STORAGE.snapshotJob), 'kubernetes-admin']) {
      expect(admitted(updateRequest(user), foreign, patched(foreign, (o) => (o.metadata.labels = { any: 'thing' })))).toBe(true);
    }
  });
});

describe('the own-backups policy as written, evaluated', () => {
  const policy = () => policies()[1];
  const del = (ns: string, name: string, resource = 'volumesnapshots', operation = 'DELETE') => {
    const oldObject = { metadata: { name, namespace: ns } };
    const vars = { request: { operation, namespace: ns, userInfo: { username: USER }, resource: { resource } }, oldObject, object: operation === 'DELETE' ? null : oldObject };
    return policy().validations.every((v: Json) => admits(v.expression, vars));
  };

  test("admits deleting its ScheduledBackup's Backups and their VolumeSnapshots in its namespace only", () => {
    expect(del(NS, OWN)).toBe(true);
    expect(del(NS, OWN, 'backups')).toBe(true);
    expect(del(NS, `${MONGODB_STORAGE.claimOf(0)}-202611291040`)).toBe(false);
    expect(del(NS, cnpgBackupName('postgres-postgres-base-backup', new Date('2026-11-29T06:00:00Z')), 'backups')).toBe(false);
    expect(del('vector', OWN)).toBe(false);
    expect(del(NS, OWN, 'volumesnapshots', 'UPDATE')).toBe(false);
    expect(del(NS, OWN, 'volumesnapshots', 'CREATE')).toBe(false);
  });
});

describe('charts/admission-policies rendered by real helm', () => {
  test('one policy (fail closed, matched on the user) and one Deny binding per entry, valid against the API', async () => {
    const r = guardRelease();
    const result = await render(binaries(), {
      release: r.name, namespace: NS, chart: await localChart(join(LOCAL_CHARTS_DIR, 'admission-policies')), values: valuesOf(r), kubeVersion: '1.35', apiVersions: [], includeCrds: false,
    });
    if (!result.ok) throw new Error(result.error);
    const objects = parseRender(result.text).map((o) => o.object);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      `ValidatingAdmissionPolicy/${NS}-${JOB}-contents`,
      `ValidatingAdmissionPolicy/${NS}-${JOB}-own-backups`,
      `ValidatingAdmissionPolicyBinding/${NS}-${JOB}-contents`,
      `ValidatingAdmissionPolicyBinding/${NS}-${JOB}-own-backups`,
    ]);
    for (const o of objects) expect(o.apiVersion).toBe('admissionregistration.k8s.io/v1');
    const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
    const policy = named('ValidatingAdmissionPolicy', `${NS}-${JOB}-contents`);
    const binding = named('ValidatingAdmissionPolicyBinding', `${NS}-${JOB}-contents`);
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConditions).toEqual([{ name: `only-${NS}-${JOB}-contents-user`, expression: `request.userInfo.username == '${USER}'` }]);
    expect(policy.spec.matchConditions[0].expression).toBe(userMatchExpression(USER));
    expect(policy.spec.validations).toEqual(policies()[0].validations);
    expect(policy.spec.matchConstraints.resourceRules).toEqual(policies()[0].resourceRules);
    expect(binding.spec).toEqual({ policyName: `${NS}-${JOB}-contents`, validationActions: ['Deny'] });
    expect(validateBuiltins(objects, '1.35')).toEqual(objects.map(() => []));
    // The schema check is live: a misspelled policy name is an unknown field, which the API server drops.
    expect(validateBuiltins([{ ...binding, spec: { policyNmae: binding.spec.policyName, validationActions: ['Deny'] } }], '1.35')).toEqual([["/spec: unknown field 'policyNmae' (the API server prunes it)"]]);
  });

  test('the construct refuses a user name that would break the expression, and an empty policy', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const rule = { apiGroups: [''], apiVersions: ['v1'], operations: ['*' as const], resources: ['pods'] };
    expect(() => new AdmissionPolicies(stack, 'a', { name: 'a', namespace: 'x', policies: [{ name: 'p', user: "x' || true || '", resourceRules: [rule], validations: [{ expression: 'true', message: 'm' }] }] })).toThrow(/must be a Kubernetes user name/);
    expect(() => new AdmissionPolicies(stack, 'b', { name: 'b', namespace: 'x', policies: [{ name: 'p', user: 'u', resourceRules: [rule], validations: [] }] })).toThrow(/at least one validation/);
  });
});

describe('data.mongodb.restore.snapshotRun: restored claims labelled as the operator labels its claims', () => {
  const STAMP = '202611291040';
  const restored = synth(stacksFor('production', (d) => (d.data.mongodb.restore = { snapshotRun: STAMP })).platform);

  test('the exact label set of the mongod StatefulSet selector, and the claim template adds none', async () => {
    const psmdb = valuesOf(resourceAt(restored, 'helm_release', 'mongodb/replica-set/release'));
    expect(psmdb.replsets.rs0.volumeSpec.pvc.labels).toBeUndefined();
    const expected = {
      'app.kubernetes.io/name': 'percona-server-mongodb',
      'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
      'app.kubernetes.io/part-of': 'percona-server-mongodb',
      'app.kubernetes.io/instance': psmdb.fullnameOverride,
      'app.kubernetes.io/replset': psmdb.replsets.rs0.name,
      'app.kubernetes.io/component': 'mongod',
    };
    expect(mongodDataClaimLabels(MONGODB_STORAGE.cluster, MONGODB_REPLSET)).toEqual(expected);
    const r = resources(restored, 'helm_release').find((x) => x.name === MONGODB_STORAGE.restoredClaims)!;
    for (const c of valuesOf(r).claims) expect(c.labels).toEqual(expected);
    const result = await render(binaries(), {
      release: r.name, namespace: NS, chart: await localChart(join(LOCAL_CHARTS_DIR, 'restored-claims')), values: valuesOf(r), kubeVersion: '1.35', apiVersions: [], includeCrds: false,
    });
    if (!result.ok) throw new Error(result.error);
    const claims = parseRender(result.text).map((o) => o.object);
    expect(claims).toHaveLength(3);
    // Exactly the operator's labels: its own managed-by and component replace the chart's defaults.
    for (const c of claims) expect(c.metadata.labels).toEqual(expected);
    // Chroma's restored claims keep the chart's defaults (no labels given).
    const plain = await render(binaries(), {
      release: 'x', namespace: 'vector', chart: await localChart(join(LOCAL_CHARTS_DIR, 'restored-claims')),
      values: { claims: [{ name: 'data-chroma-0', snapshot: 's', storageClass: 'c', size: '1Gi', accessModes: ['ReadWriteOnce'] }] }, kubeVersion: '1.35', apiVersions: [], includeCrds: false,
    });
    if (!plain.ok) throw new Error(plain.error);
    expect(parseRender(plain.text)[0].object.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/component': 'restored-claim' });
  });
});

describe('the CEL subset evaluator', () => {
  test('CEL semantics the verdicts rely on: missing keys are errors, && and || absorb errors, deep equality, has() and dyn()', () => {
    const vars = { o: { a: { b: [1, { c: 'x' }] }, s: 'postgres-snapshot-backup-20261129104000' }, n: null };
    expect(evalCel('o.a == dyn(o).a', vars)).toBe(true);
    expect(() => evalCel('o.missing', vars)).toThrow(/no such key/);
    expect(() => evalCel('n.x', vars)).toThrow(/no such key/);
    expect(evalCel('false && o.missing', vars)).toBe(false);
    expect(evalCel('o.missing && false', vars)).toBe(false);
    expect(evalCel('true || o.missing', vars)).toBe(true);
    expect(() => evalCel('true && o.missing', vars)).toThrow();
    expect(evalCel("has(o.a) && !has(o.z) && 'a' in dyn(o) && 1 in o.a.b", vars)).toBe(true);
    expect(evalCel("dyn(o).all(k, k in ['a', 's'])", vars)).toBe(true);
    expect(evalCel("o.s.matches('^postgres-snapshot-backup-[0-9]{14}$') ? 1 : 2", vars)).toBe(1);
    expect(admits('o.missing == 1', vars)).toBe(false);
    // Every outcome is checked against @bufbuild/cel: where the subset would judge otherwise (here it
    // cannot parse `<`, which CEL evaluates to true), the evaluation fails.
    expect(celSpecOutcome("'a' < 'b'", vars)).toBe(true);
    expect(() => evalCel("'a' < 'b'", vars)).toThrow(/CEL disagrees/);
    expect(celSpecOutcome('o.missing', vars)).toBe('error');
    expect(() => parseCel('size(o) > 1')).toThrow(/unsupported/);
  });
});

describe('the MongoDB and Chroma snapshot schedules: their create and delete confined to their own snapshots', () => {
  const guardOf = (job: string) => {
    const found = resources(prodPlatform, 'helm_release').filter((r) => r.name === `${job}-guard`);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const mongo = () => valuesOf(guardOf(MONGODB_STORAGE.snapshotJob)).policies[0] as Json;
  const mongoUser = serviceAccountUser(NS, MONGODB_STORAGE.snapshotJob);
  const claims = [0, 1, 2].map((i) => MONGODB_STORAGE.claimOf(i));
  const CLASS = VOLUME_SNAPSHOT_CLASS;
  /** The VolumeSnapshot the schedule's script creates for `claim` (snapshotScript's manifest). */
  const taken = (claim: string, over: (o: Json) => void = () => undefined) => {
    const o: Json = {
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot',
      metadata: { name: `${claim}-202611291040`, namespace: NS, labels: { [SNAPSHOT_SCHEDULE_LABEL]: MONGODB_STORAGE.snapshotJob, [SNAPSHOT_CLAIM_LABEL]: claim } },
      spec: { volumeSnapshotClassName: mongo().validations[1].expression.match(/volumeSnapshotClassName == '([^']+)'/)[1], source: { persistentVolumeClaimName: claim } },
    };
    over(o);
    return o;
  };
  const judged = (operation: string, oldObject: Json | null, object: Json | null, ns = NS, user = mongoUser) => {
    const vars = { request: { operation, namespace: ns, userInfo: { username: user } }, oldObject, object };
    if (evalCel(userMatchExpression(mongo().user), vars) !== true) return true;
    return mongo().validations.every((v: Json) => admits(v.expression, vars));
  };

  test('one policy per schedule, bound to its service account, with the expressions as written; the CronJobs wait for them', () => {
    expect(mongo().name).toBe(`${NS}-${MONGODB_STORAGE.snapshotJob}-own-snapshots`);
    expect(mongo().user).toBe(mongoUser);
    expect(scheduledSnapshotNamePattern(claims)).toBe('^(mongod-data-mongodb-rs0-0|mongod-data-mongodb-rs0-1|mongod-data-mongodb-rs0-2)-[0-9]{12}$');
    const cls = taken(claims[0]).spec.volumeSnapshotClassName;
    expect(cls).toBe(ROTATING_VOLUME_SNAPSHOT_CLASS); // the rotating (Delete) class, not the retaining one PostgreSQL uses
    expect(mongo().validations.map((v: Json) => v.expression)).toEqual([
      "(request.operation == 'CREATE' || request.operation == 'DELETE') && request.namespace == 'data' && (!has(request.subResource) || request.subResource == '')",
      `request.operation != 'CREATE' || (object.spec.source.persistentVolumeClaimName in ['${claims.join("', '")}'] && ` +
        "object.metadata.name.matches('^' + object.spec.source.persistentVolumeClaimName + '-[0-9]{12}$') && " +
        `object.spec.volumeSnapshotClassName == '${cls}' && ` +
        "has(object.metadata.labels) && 'toronto-ai.io/snapshot-schedule' in object.metadata.labels && object.metadata.labels['toronto-ai.io/snapshot-schedule'] == 'mongodb-snapshot' && " +
        "has(object.metadata.labels) && 'toronto-ai.io/claim' in object.metadata.labels && object.metadata.labels['toronto-ai.io/claim'] == object.spec.source.persistentVolumeClaimName)",
      `request.operation != 'DELETE' || (oldObject.metadata.name.matches('${scheduledSnapshotNamePattern(claims)}') && ` +
        "has(oldObject.metadata.labels) && 'toronto-ai.io/snapshot-schedule' in oldObject.metadata.labels && oldObject.metadata.labels['toronto-ai.io/snapshot-schedule'] == 'mongodb-snapshot')",
    ]);
    const chroma = valuesOf(guardOf(CHROMA_STORAGE.snapshotJob)).policies[0];
    expect(chroma.user).toBe(serviceAccountUser('vector', CHROMA_STORAGE.snapshotJob));
    expect(chroma.validations[0].expression).toContain("request.namespace == 'vector'");
    for (const job of [MONGODB_STORAGE.snapshotJob, CHROMA_STORAGE.snapshotJob]) {
      const cron = Object.values(prodPlatform.resource.kubernetes_cron_job_v1 as Record<string, Json>).find((c) => first(c.metadata).name === job)!;
      expect(cron.depends_on).toContain(`helm_release.${guardOf(job).__name}`);
    }
    // The script creates exactly what the policy admits (name, labels, class, source).
    const script = snapshotScript({ name: MONGODB_STORAGE.snapshotJob, namespace: NS, claims, snapshotClass: cls, keep: 3 });
    for (const line of ['  name: $claim-$stamp', `    ${SNAPSHOT_SCHEDULE_LABEL}: ${MONGODB_STORAGE.snapshotJob}`, `    ${SNAPSHOT_CLAIM_LABEL}: $claim`, `  volumeSnapshotClassName: ${cls}`, '    persistentVolumeClaimName: $claim']) {
      expect(script.split('\n')).toContain(line);
    }
  });

  test("admits the job's own snapshots and their deletion; refuses PostgreSQL's, other claims, classes, names, updates and namespaces", () => {
    for (const c of claims) expect(judged('CREATE', null, taken(c))).toBe(true);
    expect(judged('DELETE', taken(claims[1]), null)).toBe(true);
    const cases: Array<[string, string, Json | null, Json | null, string?]> = [
      ['a snapshot of PostgreSQL\'s claim', 'CREATE', null, taken('postgres-1', (o) => { o.metadata.name = 'postgres-1-202611291040'; o.metadata.labels[SNAPSHOT_CLAIM_LABEL] = 'postgres-1'; })],
      ['through the retaining class', 'CREATE', null, taken(claims[0], (o) => (o.spec.volumeSnapshotClassName = CLASS))],
      ['named after another member', 'CREATE', null, taken(claims[0], (o) => (o.metadata.name = `${claims[1]}-202611291040`))],
      ['without the schedule label', 'CREATE', null, taken(claims[0], (o) => delete o.metadata.labels[SNAPSHOT_SCHEDULE_LABEL])],
      ['from a snapshot instead of a claim', 'CREATE', null, taken(claims[0], (o) => (o.spec.source = { volumeSnapshotContentName: 'snapcontent-x' }))],
      ['deleting PostgreSQL\'s backup snapshot', 'DELETE', { metadata: { name: cnpgBackupName(SB, new Date('2026-11-29T10:40:00Z')), labels: { 'cnpg.io/backupName': 'x' } } }, null],
      ['deleting a look-alike without the label', 'DELETE', { metadata: { name: `${claims[0]}-202611291040` } }, null],
      ['an update', 'UPDATE', taken(claims[0]), taken(claims[0], (o) => (o.metadata.labels.x = 'y'))],
      ['in another namespace', 'CREATE', null, taken(claims[0]), 'vector'],
    ];
    for (const [what, op, before, after, ns] of cases) expect([what, judged(op, before, after, ns)]).toEqual([what, false]);
    // Other users (the rotation, an administrator) are not judged by this policy.
    expect(judged('DELETE', { metadata: { name: 'anything' } }, null, NS, USER)).toBe(true);
  });
});
