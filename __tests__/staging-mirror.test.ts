/**
 * ENV-1: staging is production-equivalent in size and a mirror of production's configuration.
 * The two definitions may differ only where listed here (identity, names, retention, the
 * production-only features, and a few reviewed size reductions); a change to production that
 * staging does not follow (an instance type, a version, a pool count, a rule) fails this test
 * until staging follows it or the difference is added to the list, in review.
 */
import { DEFINITIONS, validateEnvironments } from '../environments';

/** Reviewed differences: path -> why staging differs. */
const ALLOWED: Record<string, string> = {
  name: 'identity',
  tier: 'identity',
  description: 'identity',
  'aws.allowedAccountIds': 'own account',
  'stateBackend.bucket': 'own account',
  'network.vpcCidr': 'own address space',
  'network.publicSubnetCidrs': 'own address space',
  'network.privateSubnetCidrs': 'own address space',
  'network.dataSubnetCidrs': 'own address space',
  'network.flowLogRetentionDays': 'retention',
  'cluster.adminPrincipalArns': 'own account',
  'cluster.logRetentionDays': 'retention',
  'nodePools.system.minSize': 'autoscaling floor (desired size equals production)',
  'nodePools.app.maxSize': 'autoscaling ceiling (minimum and desired equal production)',
  'edge.domainName': 'own names',
  'edge.hostedZoneId': 'own zone',
  'edge.publicNames': 'own names',
  'edge.betaName': 'beta channel is production only (ENV-4)',
  'edge.loadBalancer.accessLogRetentionDays': 'retention',
  'edge.waf.logRetentionDays': 'retention',
  'edge.cdn.enabled': 'CDN is production only (LB-4)',
  'edge.cdn.domainName': 'CDN is production only (LB-4)',
  'edge.cdn.certificate': 'CDN is production only (LB-4)',
  'app.config.DJANGO_SETTINGS_MODULE': 'own settings module',
  'app.beta.enabled': 'beta channel is production only (ENV-4)',
  'app.beta.imageTag': 'beta channel is production only (ENV-4)',
  'observability.alertmanager.receivers': 'staging pages no one',
  'observability.alertmanager.routes': 'staging pages no one',
  'observability.logging.elasticsearch.storageGiB': 'less log volume (reviewed reduction)',
  'observability.logging.elasticsearch.memoryGiB': 'less log volume (reviewed reduction)',
  'observability.logging.kibanaReplicas': 'fewer users (reviewed reduction)',
  'backup.expiryDays': 'retention',
  'backup.noncurrentVersionExpiryDays': 'retention',
  'backup.accessLogExpiryDays': 'retention',
  'backup.objectLock.enabled': 'object lock is production only (BAK-1)',
  'backup.objectLock.retentionDays': 'object lock is production only (BAK-1)',
  'backup.replicaRegion': 'offsite replica is production only (BAK-1)',
  'backup.breakGlassPrincipalArns': 'own account (the break-glass principal lives in it)',
  'backup.velero.schedule': 'backup frequency',
  'backup.velero.ttlHours': 'retention',
  'data.redis.replicas': 'one replica still gives failover (reviewed reduction)',
  'data.redis.snapshotRetentionDays': 'retention',
  'cicd.deploy.trigger': 'promotion: staging deploys on merge, production after staging (CI/CD)',
  'cicd.deploy.after': 'promotion: production deploys after staging (CI/CD)',
  'cicd.deploy.requiredReviewers': 'production deploys wait for a reviewer; staging rehearses them unattended',
  'cicd.deploy.runnerLabels': "own runner inside its own VPC",
  'services.email.fromAddress': "the sender is in the environment's own domain: its DKIM records go in its own hosted zone (edge.domainName)",
};

function differences(a: unknown, b: unknown, path: string[] = []): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => differences(a[k], b[k], [...path, k]));
  }
  return [path.join('.')];
}

const all = validateEnvironments(DEFINITIONS);
const production = all.find((e) => e.name === 'production')!;
const staging = all.find((e) => e.name === 'staging')!;

test('staging differs from production only where a reviewed reason says so', () => {
  expect(differences(production, staging).filter((p) => !(p in ALLOWED))).toEqual([]);
});

test('the node pools have production\'s instance types, volumes and desired sizes', () => {
  for (const pool of ['system', 'app', 'database', 'vector'] as const) {
    const { minSize: _pm, maxSize: _px, ...prod } = production.nodePools[pool]!;
    const { minSize: _sm, maxSize: _sx, ...stag } = staging.nodePools[pool]!;
    expect(stag).toEqual(prod);
  }
});

test('the comparison notices a difference nobody reviewed', () => {
  const changed = { ...staging, cluster: { ...staging.cluster, version: '1.34' } };
  expect(differences(production, changed).filter((p) => !(p in ALLOWED))).toEqual(['cluster.version']);
});
