/**
 * Issue 13, Vault: raft snapshots to the backup bucket (scheduled job, its own Vault policy and
 * Pod Identity role, flows, alerts), checked on the synthesized stacks.
 */
import { checkWiring } from '../scripts/completeness';
import { platformFlows } from '../features/flows';
import { DATA_IDENTITIES, VAULT_SNAPSHOT } from '../features/data/contract';
import { Json, definitionProblems, environment, resourceAt, resources, stacksFor, synth, shipped } from './helpers';

const prod = stacksFor('production');
const prodCloud = shipped('production').cloud;
const prodPlatform = shipped('production').platform;
const BUCKET = 'toronto-ai-production-backups-444455556666';

const configMap = (json: Json) => resourceAt(json, 'kubernetes_config_map_v1', 'vault/configure-script').data;
const rolePolicy = (json: Json, id: string) => JSON.parse(resourceAt(json, 'aws_iam_role_policy', `data/role-${id}/policy`).policy).Statement as Json[];
const clone = (j: Json): Json => JSON.parse(JSON.stringify(j));

describe('Vault raft snapshots (SEC-1, BAK-2)', () => {
  const job = resourceAt(prodPlatform, 'kubernetes_cron_job_v1', 'vault-snapshots/backup/cron-job');
  const pod = job.spec.job_template.spec.template.spec;

  test('a CronJob in vault, every 5 minutes in production, one run at a time, each run within 4 minutes', () => {
    expect(job.metadata.name).toBe('vault-snapshot');
    expect(job.metadata.namespace).toContain('namespaces_vault');
    expect(job.spec.schedule).toBe('*/5 * * * *');
    expect(job.spec.concurrency_policy).toBe('Forbid');
    expect(job.spec.job_template.spec.active_deadline_seconds).toBe(240);
    expect(resourceAt(prodPlatform, 'kubernetes_service_account_v1', 'vault-snapshots/backup/service-account').metadata.name).toBe('vault-snapshot');
  });

  test('the dump step logs in with its own role and a projected token only it mounts, and saves from the active server', () => {
    const dump = pod.init_container[0];
    expect(dump.image).toBe('hashicorp/vault:2.0.4');
    const script: string = dump.command[2];
    expect(script).toContain('export VAULT_ADDR="https://vault-active.');
    expect(script).toContain(`auth/kubernetes/login role=${VAULT_SNAPSHOT.role} jwt=@/var/run/secrets/vault-snapshot/token`);
    expect(script).toContain('vault operator raft snapshot save /backup/vault.snap');
    expect(pod.automount_service_account_token).toBe(false);
    const files = pod.volume.find((v: Json) => v.name === 'dump-files');
    expect(files.projected[0].sources).toEqual([
      { service_account_token: { path: 'token', expiration_seconds: 600 } },
      { secret: [{ name: 'vault-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] }] },
    ]);
    expect(dump.volume_mount).toContainEqual({ name: 'dump-files', mount_path: '/var/run/secrets/vault-snapshot', read_only: true });
    expect(pod.container[0].volume_mount.map((m: Json) => m.name)).not.toContain('dump-files');
    expect(pod.volume.find((v: Json) => v.name === 'backup').empty_dir).toEqual({ size_limit: '1Gi' });
  });

  test('the upload step writes under vault/ of the backup bucket', () => {
    expect(pod.container[0].command[2]).toContain(`s3://${BUCKET}/vault/`);
  });

  test('its Vault policy allows read on sys/storage/raft/snapshot and nothing else; its role is bound to vault/vault-snapshot', () => {
    const data = configMap(prodPlatform);
    expect(data[`policy-${VAULT_SNAPSHOT.role}.hcl`]).toBe('path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}');
    expect(data['configure.sh']).toContain(
      `vault write auth/kubernetes/role/${VAULT_SNAPSHOT.role} bound_service_account_names=vault-snapshot bound_service_account_namespaces=vault policies=${VAULT_SNAPSHOT.role} ttl=1h max_ttl=4h`,
    );
    // The configuration job may write exactly that policy and role (pinned parameters).
    expect(data['policy-vault-configure.hcl']).toContain(`path "sys/policies/acl/${VAULT_SNAPSHOT.role}"`);
    expect(data['policy-vault-configure.hcl']).toContain(`path "auth/kubernetes/role/${VAULT_SNAPSHOT.role}"`);
  });

  test('its Pod Identity role may touch only vault/ of the backup bucket, bound to vault/vault-snapshot', () => {
    const statements = rolePolicy(prodCloud, 'vaultSnapshot');
    expect(statements.find((s) => s.Sid === 'ReadWriteVaultObjects')?.Resource).toBe(`${prod.cloud.backups.bucketArn}/vault/*`);
    expect(statements.find((s) => s.Sid === 'ListVaultPrefix')?.Condition).toEqual({ StringLike: { 's3:prefix': ['vault', 'vault/*'] } });
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('s3:')).sort()).toEqual(
      ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:ListMultipartUploadParts', 's3:PutObject'].sort(),
    );
    expect(resourceAt(prodCloud, 'aws_iam_role', 'data/role-vaultSnapshot/role').name).toBe('toronto-ai-production-vault-snapshot-backup');
    expect(resourceAt(prodCloud, 'aws_eks_pod_identity_association', 'data/role-vaultSnapshot/association')).toMatchObject({
      namespace: DATA_IDENTITIES.vaultSnapshot.namespace,
      service_account: DATA_IDENTITIES.vaultSnapshot.serviceAccount,
    });
  });

  test('its flows open only the job\'s pods: egress to HTTPS (S3) and to Vault, from a policy that selects the job', () => {
    const policies = resources(prodPlatform, 'kubernetes_network_policy_v1');
    const named = (name: string) => policies.find((p) => p.metadata.name === name);
    for (const name of ['allow-egress-vault-snapshots', 'allow-egress-vault-snapshot-to-vault']) {
      expect(named(name)?.spec.pod_selector).toEqual({ match_labels: { 'app.kubernetes.io/name': 'vault-snapshot' } });
    }
    expect(named('allow-egress-vault-snapshots')?.spec.egress[0].ports).toEqual([{ port: '443', protocol: 'TCP' }]);
    expect(named('allow-ingress-vault-snapshot-to-vault')?.spec.ingress[0].ports).toEqual([{ port: '8200', protocol: 'TCP' }]);
  });

  test('the completeness check reports a snapshot policy that lost its read, and a job-only rule does not let the servers out', () => {
    const flows = platformFlows(environment('production'));
    const p = clone(prodPlatform);
    const cm = Object.values(p.resource.kubernetes_config_map_v1 as Json).find((r: Json) => r.data?.['configure.sh']) as Json;
    cm.data[`policy-${VAULT_SNAPSHOT.role}.hcl`] = 'path "sys/storage/raft/snapshot" {\n  capabilities = ["list"]\n}';
    const unseal = Object.entries(p.resource.kubernetes_network_policy_v1 as Json).find(([, r]) => (r as Json).metadata.name === 'allow-egress-vault-unseal')![0];
    delete p.resource.kubernetes_network_policy_v1[unseal];
    expect(checkWiring(flows, prodCloud, p)).toEqual([
      'vault-snapshot-to-vault: credential: Vault policy vault-snapshot does not read sys/storage/raft/snapshot',
      'vault-unseal: network: no NetworkPolicy in vault allows egress to internet-https (0.0.0.0/0) on 443/TCP',
    ]);
  });

  test('a failed run and a snapshot older than the schedule allows alert (critical)', () => {
    const release = resourceAt(prodPlatform, 'helm_release', 'monitoring/kube-prometheus-stack/release');
    const rules = JSON.parse(release.values[0]).additionalPrometheusRulesMap['toronto-ai-backups'].groups.flatMap((g: Json) => g.rules);
    const failed = rules.find((r: Json) => r.alert === 'BackupJobFailedVaultSnapshot');
    const stale = rules.find((r: Json) => r.alert === 'BackupStaleVaultSnapshot');
    // The namespace is the vault namespace resource's name (resolved at apply).
    const selector = /kube_cronjob_status_last_successful_time\{namespace="\$\{kubernetes_namespace_v1\.namespaces_vault_[A-F0-9]+\.metadata\[0\]\.name\}",cronjob="vault-snapshot"\}/;
    expect(failed.expr).toMatch(selector);
    expect(failed.labels.severity).toBe('critical');
    // five minutes between runs + the 240-second deadline
    expect(stale.expr).toMatch(selector);
    expect(stale.expr.endsWith(' > 540')).toBe(true);
    expect(stale.labels.severity).toBe('critical');
  });

  test('staging and production snapshot at least as often as the database RPO; development may not', () => {
    expect(definitionProblems('staging', (d) => (d.data.vault.snapshotSchedule = '0 * * * *'))).toEqual([
      "staging.data.vault.snapshotSchedule: '0 * * * *' leaves up to 60 minutes between snapshots, above the RPO of 5 minutes (backup.databaseRpoMinutes); staging must snapshot at least that often, e.g. '*/5 * * * *'",
    ]);
    expect(definitionProblems('development', (d) => (d.data.vault.snapshotSchedule = '0 3 * * 0'))).toEqual([]);
    expect(definitionProblems('production', (d) => (d.data.vault.snapshotSchedule = '*/5 * * *'))[0]).toMatch(/^production\.data\.vault\.snapshotSchedule: must be a five-field cron schedule/);
  });
});

describe('restore as configuration (BAK-3)', () => {
  const SNAPSHOT = '2026-11-29T053000Z';
  const restored = stacksFor('production', (d) => (d.data.vault.restore = { snapshot: SNAPSHOT }));
  const platform = synth(restored.platform);
  const job = resourceAt(platform, 'kubernetes_job_v1', 'vault-restore/job');
  const pod = job.spec.template.spec;

  test('no restore configured: no Job, and vault-configure deletes the restore role', () => {
    expect(resources(prodPlatform, 'kubernetes_job_v1').filter((j) => String(j.metadata.name).startsWith('vault-restore'))).toEqual([]);
    const data = configMap(prodPlatform);
    expect(data['configure.sh']).toContain('vault delete auth/kubernetes/role/vault-restore');
    expect(data['policy-vault-configure.hcl']).toContain('path "auth/kubernetes/role/vault-restore" {\n  capabilities = ["delete"]\n}');
    expect(data['policy-vault-restore.hcl']).toBeUndefined();
  });

  test('the Job reads exactly the object the snapshot job wrote: same bucket, same prefix, the named timestamp', () => {
    const snapshotUpload: string = resourceAt(platform, 'kubernetes_cron_job_v1', 'vault-snapshots/backup/cron-job').spec.job_template.spec.template.spec.container[0].command[2];
    const destination = snapshotUpload.match(/"(s3:\/\/[^"$]+\/)\$\{?stamp/)?.[1] ?? snapshotUpload.match(/"(s3:\/\/[^"]+\/)\$/)?.[1];
    expect(destination).toBe(`s3://${BUCKET}/vault/`);
    // the snapshot job writes <destination><stamp>/vault.snap (aws s3 cp --recursive of /backup/vault.snap)
    expect(snapshotUpload).toContain('aws s3 cp --recursive');
    const download: string = pod.init_container[0].command[2];
    expect(download).toContain(`"${destination}${SNAPSHOT}/vault.snap"`);
    expect(job.metadata.name).toBe('vault-restore-2026-11-29t053000z');
    expect(job.wait_for_completion).toBe(false);
  });

  test('a rebuilt Vault is initialised with throwaway keys and force-restored; a running one is restored with the Job\'s own role', () => {
    const script: string = pod.container[0].command[2];
    expect(script).toContain('VAULT_ADDR="https://vault-0.vault-internal:8200" vault status -format=json');
    expect(script).toContain('vault operator init -recovery-shares=1 -recovery-threshold=1 -format=json');
    expect(script).toContain('vault operator raft snapshot restore -force "$snap"');
    expect(script).toContain('auth/kubernetes/login role=vault-restore jwt=@/var/run/secrets/vault-snapshot/token');
    // No shell dollar-brace (Terraform would read it as an interpolation); only the namespace reference.
    expect(script.replace(/\$\{kubernetes_namespace_v1\.[^}]+\}/g, '')).not.toContain('${');
    const data = configMap(platform);
    expect(data['policy-vault-restore.hcl']).toBe('path "sys/storage/raft/snapshot" {\n  capabilities = ["update", "sudo"]\n}');
    expect(data['configure.sh']).toContain('vault write auth/kubernetes/role/vault-restore bound_service_account_names=vault-restore bound_service_account_namespaces=vault policies=vault-restore');
    expect(data['configure.sh']).not.toContain('vault delete auth/kubernetes/role/vault-restore');
    expect(resourceAt(platform, 'kubernetes_service_account_v1', 'vault-restore/service-account').metadata.name).toBe('vault-restore');
  });

  test('its Pod Identity role reads vault/ only and writes nothing', () => {
    const statements = rolePolicy(prodCloud, 'vault-restore');
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    expect(statements.find((s) => s.Sid === 'ReadVaultObjects')?.Resource).toBe(`${prod.cloud.backups.bucketArn}/vault/*`);
    expect(resourceAt(prodCloud, 'aws_eks_pod_identity_association', 'data/role-vault-restore/association')).toMatchObject({ namespace: 'vault', service_account: 'vault-restore' });
  });

  test('its flows are complete (network, Vault role and policy, Pod Identity, endpoint)', () => {
    const flows = platformFlows(environment('production', (d) => (d.data.vault.restore = { snapshot: SNAPSHOT })));
    expect(flows.map((f) => f.id)).toEqual(expect.arrayContaining(['vault-restore-to-vault', 'vault-restore-read']));
    expect(checkWiring(flows, synth(restored.cloud), platform)).toEqual([]);
  });

  test('a snapshot that is not a timestamp folder is refused', () => {
    expect(definitionProblems('production', (d) => (d.data.vault.restore = { snapshot: 'latest' }))).toEqual([
      'production.data.vault.restore.snapshot: must be the timestamp folder of a snapshot under vault/, such as 2026-11-29T053000Z',
    ]);
  });

  test('PostgreSQL\'s restore reads the same bucket and prefix its backups write to (an older generation)', () => {
    const pg = synth(stacksFor('production', (d) => {
      d.data.postgres.backupGeneration = 2;
      d.data.postgres.restore = { fromGeneration: 1 };
    }).platform);
    const spec = JSON.parse(resourceAt(pg, 'helm_release', 'postgres/cluster/release').values[0]).cluster;
    const [origin] = spec.externalClusters;
    expect(spec.bootstrap.recovery.source).toBe(origin.name);
    const bucketOf = (path: string) => /^s3:\/\/([^/]+)\//.exec(path)![1];
    expect(bucketOf(origin.barmanObjectStore.destinationPath)).toBe(bucketOf(spec.backup.barmanObjectStore.destinationPath));
    expect(origin.barmanObjectStore.destinationPath).toMatch(new RegExp(`/${DATA_IDENTITIES.postgres.prefix.segment}/g1$`));
    expect(spec.backup.barmanObjectStore.destinationPath).toMatch(new RegExp(`/${DATA_IDENTITIES.postgres.prefix.segment}/g2$`));
    expect(spec.bootstrap.recovery.recoveryTarget).toBeUndefined();
  });
});
