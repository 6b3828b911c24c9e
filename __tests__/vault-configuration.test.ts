/**
 * Issue 13: Vault's configuration has RPO 0 by construction only if everything Vault serves to its
 * clients is written from code. Read from each synthesized platform stack: every role a client logs
 * in with, every path it reads or writes with that role, and the mount and auth method it uses
 * are written (or ensured) by the vault-configure job's ConfigMap.
 */
import { DEFINITIONS } from '../environments';
import { policyGrants, vaultCoverage } from '../scripts/vault-coverage';
import { Json, shipped } from './helpers';

jest.setTimeout(300_000);

const names = DEFINITIONS.map((d) => d.name);

describe.each(names)('%s: everything Vault serves is written by vault-configure', (name) => {
  const platform = shipped(name).platform;
  const coverage = vaultCoverage(platform);

  test('no role, policy, path, mount or auth method outside the code', () => {
    expect(coverage.problems).toEqual([]);
  });

  test('the walk finds the clients (a walk that finds nothing proves nothing)', () => {
    // The application channels (agent injector), the sync jobs and the snapshot job.
    expect(coverage.roles).toEqual(expect.arrayContaining(['toronto-ai', 'database-sync', 'chroma-token-sync', 'vault-snapshot']));
    expect(coverage.uses.some((u) => u.capability === 'read' && u.path === 'secret/data/toronto-ai/database')).toBe(true);
    expect(coverage.uses.some((u) => u.capability === 'create' && u.path === 'secret/data/toronto-ai/database')).toBe(true);
    expect(coverage.uses.some((u) => u.path === 'sys/storage/raft/snapshot')).toBe(true);
    for (const role of coverage.roles) expect(coverage.writtenRoles).toContain(role);
  });

  test('every secret the clients read has a source outside Vault: the API keys too (synced from Secrets Manager)', () => {
    expect(coverage.secretsWithoutSource).toEqual([]);
    expect(coverage.syncedSecrets).toEqual(expect.arrayContaining(['secret/data/toronto-ai/database', 'secret/data/toronto-ai/vector', 'secret/data/toronto-ai/api']));
  });
});

describe('the walk fails on what the code does not write', () => {
  const base = shipped('production').platform;
  const configMap = (json: Json) =>
    (Object.values(json.resource.kubernetes_config_map_v1) as Json[]).find((c) => (c.metadata[0] ?? c.metadata).name === 'vault-configure')!;
  const copy = () => JSON.parse(JSON.stringify(base)) as Json;

  test('a policy that no longer grants a path a client uses', () => {
    const json = copy();
    const data = configMap(json).data;
    data['policy-toronto-ai.hcl'] = data['policy-toronto-ai.hcl'].replace('path "secret/data/toronto-ai/api"', 'path "secret/data/toronto-ai/other"');
    const problems = vaultCoverage(json).problems;
    // Every stable-channel reader of the API keys is named, and nothing else.
    expect(problems).toContainEqual(expect.stringMatching(/^kubernetes_deployment_v1\.app_application_deployment_[0-9A-F]+: read on secret\/data\/toronto-ai\/api is granted by no policy vault-configure writes for toronto-ai$/));
    for (const p of problems) expect(p).toMatch(/: read on secret\/data\/toronto-ai\/api is granted by no policy vault-configure writes for toronto-ai/);
  });

  test('a KV mount the script no longer ensures', () => {
    const json = copy();
    const data = configMap(json).data;
    data['configure.sh'] = data['configure.sh'].replace(/vault secrets enable -path=secret -version=2 kv/, 'true');
    expect(vaultCoverage(json).problems).toEqual(['the secret/ KV v2 mount is not ensured by vault-configure']);
  });

  test('a client with a role nobody writes', () => {
    const json = copy();
    json.resource.kubernetes_cron_job_v1.rogue = { metadata: [{ name: 'rogue' }], spec: [{ schedule: '0 * * * *', x: 'vault write -field=token auth/kubernetes/login role=rogue jwt=@t' }] };
    expect(vaultCoverage(json).problems).toEqual(['role rogue is used but vault-configure does not write auth/kubernetes/role/rogue']);
  });

  test('policyGrants reads HCL path blocks', () => {
    expect([...policyGrants('path "a/b" {\n  capabilities = ["read", "list"]\n}\npath "c" {\n  capabilities = ["update"]\n}').entries()].map(([k, v]) => [k, [...v]])).toEqual([
      ['a/b', ['read', 'list']],
      ['c', ['update']],
    ]);
  });
});
