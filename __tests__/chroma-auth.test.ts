/**
 * Issue 15: the vector store requires authentication. Chroma >= 1.0 has none of its own, so a
 * gateway checks a per-channel token generated in the cluster; Chroma's pods admit only the
 * gateway; each channel's token reaches the application through Vault, like its database
 * credentials. On the synthesized stacks, the rendered charts and the completeness check.
 */
import { Json, environment, resourceAt, shipped } from './helpers';
import { renderAll } from '../scripts/helm/suite';
import { checkWiring } from '../scripts/completeness';
import { platformFlows } from '../features/flows';
import { unescapeTemplate } from '../constructs/observability/terraform-escape';
import { gatewayConfig } from '../constructs/data/chroma-gateway';

const production = shipped('production').platform;
const cloud = shipped('production').cloud;
const clone = (j: Json): Json => JSON.parse(JSON.stringify(j));

describe('the Chroma gateway (synthesized)', () => {
  const deployment = resourceAt(production, 'kubernetes_deployment_v1', 'chroma-gateway/deployment');
  const pod = deployment.spec.template.spec;
  const config = unescapeTemplate(resourceAt(production, 'kubernetes_config_map_v1', 'chroma-gateway/config').data['default.conf.template']);

  test('accepts only the channels\' tokens (bearer or X-Chroma-Token), answers 401 otherwise, forwards no token', () => {
    expect(config).toContain('"Bearer ${CHROMA_TOKEN_STABLE}" 1;');
    expect(config).toContain('"Bearer ${CHROMA_TOKEN_BETA}" 1;');
    expect(config).toContain('"${CHROMA_TOKEN_BETA}" 1;');
    expect(config).toMatch(/if \(\$bearer_ok\$header_ok = "00"\) \{\s*return 401;/);
    expect(config).toContain('proxy_pass http://chroma.vector.svc.cluster.local:8000;');
    expect(config).toContain('proxy_set_header Authorization "";');
    expect(config).toContain('proxy_set_header X-Chroma-Token "";');
    // The tokens come from the generated Secrets, never from the configuration.
    expect(pod.container[0].env).toEqual([
      { name: 'CHROMA_TOKEN_STABLE', value_from: { secret_key_ref: { name: 'chroma-token-toronto-ai', key: 'token' } } },
      { name: 'CHROMA_TOKEN_BETA', value_from: { secret_key_ref: { name: 'chroma-token-toronto-ai-beta', key: 'token' } } },
    ]);
  });

  test('only the stable channel\'s token where there is no beta channel', () => {
    const dev = shipped('development').platform;
    const env = resourceAt(dev, 'kubernetes_deployment_v1', 'chroma-gateway/deployment').spec.template.spec.container[0].env;
    expect(env.map((e: Json) => e.name)).toEqual(['CHROMA_TOKEN_STABLE']);
  });

  test('hardened: non-root, read-only, no capabilities, no token mount, pinned image, probes, limits, PDB', () => {
    const c = pod.container[0];
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, run_as_user: '101' });
    expect(c.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.image).toBe('docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine');
    expect(c.readiness_probe.http_get.path).toBe('/gateway-health');
    expect(c.resources.limits).toBeDefined();
    expect(resourceAt(production, 'kubernetes_pod_disruption_budget_v1', 'chroma-gateway/pdb').spec.max_unavailable).toBe('1');
    expect(() => gatewayConfig({ port: 8000, upstream: 'x:1', tokens: [], maxBodyMiB: 1 })).not.toThrow();
  });

  test('the tokens are generated in the cluster (one per channel), never in values or state', () => {
    const release = resourceAt(production, 'helm_release', 'chroma-tokens/release/release');
    expect(JSON.parse(release.values[0]).secrets).toEqual([
      { name: 'chroma-token-toronto-ai', type: 'Opaque', static: {}, generated: ['token'] },
      { name: 'chroma-token-toronto-ai-beta', type: 'Opaque', static: {}, generated: ['token'] },
    ]);
    expect(release.description).toBe('local chart generated-secrets');
  });

  test('Chroma\'s own pods admit only the gateway; the application namespaces reach only the gateway', () => {
    const own = resourceAt(production, 'kubernetes_network_policy_v1', 'chroma/network-policy');
    expect(own.spec.ingress).toEqual([{ from: [{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'chroma-gateway' } } }], ports: [{ port: '8000', protocol: 'TCP' }] }]);
    for (const ns of ['toronto-ai', 'toronto-ai-beta']) {
      const allow = resourceAt(production, 'kubernetes_network_policy_v1', `network-policies/vector/allow-ingress-${ns}-to-chroma`);
      expect(allow.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'chroma-gateway' });
    }
  });
});

describe('each channel\'s token reaches it through Vault', () => {
  const policy = (role: string) => resourceAt(production, 'kubernetes_config_map_v1', 'vault/configure-script').data[`policy-${role}.hcl`];

  test('a sync job per channel copies its token into `<namespace>/vector` with a role that may write only that path', () => {
    for (const [channel, ns, role] of [['stable', 'toronto-ai', 'chroma-token-sync'], ['beta', 'toronto-ai-beta', 'chroma-token-sync-beta']]) {
      const job = resourceAt(production, 'kubernetes_cron_job_v1', `vault-chroma-token-sync-${channel}/cron-job`);
      expect(JSON.stringify(job)).toContain(`vault kv put -mount=secret ${ns}/vector chroma_token=@`);
      expect(policy(role)).toBe(`path "secret/data/${ns}/vector" {\n  capabilities = ["create", "update"]\n}`);
    }
  });

  test('the channel\'s Vault policy reads its own vector secret only, and its agent renders it', () => {
    expect(policy('toronto-ai')).toContain('path "secret/data/toronto-ai/vector"');
    expect(policy('toronto-ai-beta')).toContain('path "secret/data/toronto-ai-beta/vector"');
    expect(policy('toronto-ai-beta')).not.toContain('secret/data/toronto-ai/vector');
    const blue = resourceAt(production, 'kubernetes_deployment_v1', 'application/deployment');
    expect(blue.spec.template.metadata.annotations['vault.hashicorp.com/agent-inject-secret-vector']).toBe('secret/data/toronto-ai/vector');
  });

  test('the application\'s ConfigMap names the gateway', () => {
    expect(resourceAt(production, 'kubernetes_config_map_v1', 'app/application/config').data).toMatchObject({ CHROMA_HOST: 'chroma-gateway.vector.svc', CHROMA_PORT: '8000' });
  });

  test('the completeness check reports a channel whose policy cannot read its token', () => {
    const flows = platformFlows(environment('production'));
    expect(checkWiring(flows, cloud, production)).toEqual([]);
    const p = clone(production);
    const cm = Object.values(p.resource.kubernetes_config_map_v1 as Json).find((c: Json) => String(c['//'].metadata.path).endsWith('vault/configure-script'))!;
    cm.data['policy-toronto-ai-beta.hcl'] = cm.data['policy-toronto-ai-beta.hcl'].replace('secret/data/toronto-ai-beta/vector', 'secret/data/toronto-ai-beta/other');
    cm.data['policy-chroma-token-sync.hcl'] = '';
    const problems = checkWiring(flows, cloud, p);
    expect(problems).toContain('toronto-ai-beta-to-chroma: credential: Vault policy toronto-ai-beta does not read secret/data/toronto-ai-beta/vector');
    expect(problems).toContain('vault-chroma-token-sync-to-vault: credential: Vault policy chroma-token-sync does not write secret/data/toronto-ai/vector');
  });
});

describe('the generated tokens (rendered by helm)', () => {
  test('one Secret per channel with a 48-character token, kept when the release goes', async () => {
    const prod = (await renderAll()).find((e) => e.env === 'production')!;
    const release = prod.rendered.releases.find((r) => r.path.endsWith('chroma-tokens/release/release'))!;
    expect(release.error).toBeUndefined();
    const secrets = release.objects.map((o) => o.object as Json);
    expect(secrets.map((s) => s.metadata.name)).toEqual(['chroma-token-toronto-ai', 'chroma-token-toronto-ai-beta']);
    for (const s of secrets) {
      expect(s.stringData.token).toMatch(/^[A-Za-z0-9]{48}$/);
      expect(s.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    }
    expect(secrets[0].stringData.token).not.toBe(secrets[1].stringData.token);
  }, 600_000);
});
