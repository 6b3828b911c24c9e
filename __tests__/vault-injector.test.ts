/**
 * Issue 15: the Vault agent injector fails closed, for exactly the pods that ask for injection.
 * Every pod template with the inject annotation carries the label the webhook selects, so such a
 * pod is never created without its secrets, and no other pod depends on the injector.
 */
import { DEFINITIONS } from '../environments';
import { Json, resourceAt, resources, shipped } from './helpers';

/** Pod templates of the workload resources of a synthesized stack, with their address. */
function podTemplates(json: Json): { address: string; metadata: Json }[] {
  const out: { address: string; metadata: Json }[] = [];
  for (const [type, pick] of [
    ['kubernetes_deployment_v1', (c: Json) => c.spec.template.metadata],
    ['kubernetes_cron_job_v1', (c: Json) => c.spec.job_template.spec.template.metadata],
    ['kubernetes_job_v1', (c: Json) => c.spec.template.metadata],
    ['kubernetes_daemon_set_v1', (c: Json) => c.spec.template.metadata],
  ] as const) {
    for (const r of resources(json, type)) out.push({ address: `${type}.${r.__name}`, metadata: pick(r) ?? {} });
  }
  return out;
}

describe.each(DEFINITIONS.map((d) => d.name as string))('%s', (name) => {
  const json = shipped(name).platform;

  test('the injector webhook fails closed and selects only labelled pods', () => {
    const vault = resourceAt(json, 'helm_release', 'vault/release/release');
    const webhook = JSON.parse(vault.values[0]).injector.webhook;
    expect(webhook.failurePolicy).toBe('Fail');
    expect(webhook.objectSelector).toBe('matchLabels:\n  vault.hashicorp.com/agent-inject: "true"\n');
  });

  test('every pod that asks for injection carries the label, and only those', () => {
    const templates = podTemplates(json);
    const injected = templates.filter((t) => t.metadata.annotations?.['vault.hashicorp.com/agent-inject'] === 'true');
    expect(injected.length).toBeGreaterThan(0);
    for (const t of templates) {
      const asks = t.metadata.annotations?.['vault.hashicorp.com/agent-inject'] === 'true';
      const labelled = t.metadata.labels?.['vault.hashicorp.com/agent-inject'] === 'true';
      expect([t.address, labelled]).toEqual([t.address, asks]);
    }
  });
});
