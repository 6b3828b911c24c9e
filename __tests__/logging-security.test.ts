/**
 * Issue 15: the logging path's security. Filebeat -> Logstash (beats, 5044) is TLS with
 * verification on both sides (certificates issued in the cluster), on the synthesized stack, on
 * what helm renders, and by running the certificate script with a real openssl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Json, resourceAt, resources, shipped } from './helpers';
import { renderAll, EnvironmentRender } from '../scripts/helm/suite';
import { unescapeTemplate } from '../constructs/observability/terraform-escape';
import { BEATS_TLS_KEYS, beatsTlsScript } from '../constructs/observability/beats-tls';
import { findOrderingProblems } from '../scripts/dependency-order';
import { scratchDir } from './scratch';

const production = shipped('production').platform;
const valuesAt = (json: Json, path: string): Json => JSON.parse(resourceAt(json, 'helm_release', path).values[0]);
const SERVICE = 'logstash-ls-beats';

describe('Filebeat -> Logstash over TLS (synthesized)', () => {
  const job = resourceAt(production, 'kubernetes_job_v1', 'logging/beats-tls/job');
  const script: string = job.spec.template.spec.init_container[0].command[2];

  test('a Job issues a CA, the server certificate for the beats Service and a client certificate into Secret beats-tls', () => {
    expect(job.metadata.name).toBe('beats-tls-bootstrap');
    expect(job.wait_for_completion).toBe(true);
    expect(script).toContain(`DNS:${SERVICE}.logging.svc,DNS:${SERVICE}.logging.svc.cluster.local`);
    expect(script).toContain('openssl pkcs8 -topk8 -nocrypt');
    expect(script).toMatch(/rm -f ca\.key/);
    expect(job.spec.template.spec.container[0].args.slice(0, 4)).toEqual(['create', 'secret', 'generic', 'beats-tls']);
    const role = resourceAt(production, 'kubernetes_role_v1', 'logging/beats-tls/role');
    expect(role.rule).toEqual([{ api_groups: [''], resources: ['secrets'], verbs: ['create'] }]);
  });

  test('Logstash\'s beats input requires TLS and a client certificate signed by the CA', () => {
    const v = valuesAt(production, 'logging/logstash/release');
    const pipeline = unescapeTemplate(v.pipelines[0]['config.string']);
    expect(pipeline).toContain('ssl_enabled => true');
    expect(pipeline).toContain('ssl_certificate => "/usr/share/logstash/beats-tls/server.crt"');
    expect(pipeline).toContain('ssl_key => "/usr/share/logstash/beats-tls/server.key"');
    expect(pipeline).toContain('ssl_certificate_authorities => ["/usr/share/logstash/beats-tls/ca.crt"]');
    expect(pipeline).toContain('ssl_client_authentication => "required"');
    // It mounts the server's files and the CA, never the client key.
    const volume = v.podTemplate.spec.volumes.find((x: Json) => x.name === 'beats-tls');
    expect(volume.secret.secretName).toBe('beats-tls');
    expect(volume.secret.items.map((i: Json) => i.key).sort()).toEqual(['ca.crt', 'server.crt', 'server.key']);
    expect(v.podTemplate.spec.containers[0].volumeMounts).toEqual([{ name: 'beats-tls', mountPath: '/usr/share/logstash/beats-tls', readOnly: true }]);
    expect(resourceAt(production, 'helm_release', 'logging/logstash/release').depends_on.join(' ')).toContain('beats-tls_job');
  });

  test('Filebeat verifies the server\'s certificate and name, and presents its client certificate', () => {
    const config = resources(production, 'kubernetes_config_map_v1').find((c) => c.metadata.name === 'filebeat-config')!.data['filebeat.yml'];
    expect(config).toContain('ssl.enabled: true');
    expect(config).toContain('ssl.verification_mode: full');
    expect(config).toContain('ssl.certificate_authorities: ["/etc/filebeat-tls/ca.crt"]');
    expect(config).toContain('ssl.certificate: "/etc/filebeat-tls/client.crt"');
    expect(config).toContain('ssl.key: "/etc/filebeat-tls/client.key"');
    // The host it dials is one of the names the server certificate carries.
    expect(config).toMatch(new RegExp(`hosts: \\["${SERVICE}\\.\\$\\{kubernetes_namespace_v1\\.[^}]+\\}\\.svc:5044"\\]`));
    const ds = resources(production, 'kubernetes_daemon_set_v1').find((d) => d.metadata.name === 'filebeat')!;
    const tls = ds.spec.template.spec.volume.find((v: Json) => v.name === 'tls');
    expect(tls.secret.items.map((i: Json) => i.key).sort()).toEqual(['ca.crt', 'client.crt', 'client.key']);
  });

  test('the certificates are watched for expiry, and nothing mounts the Secret before the Job made it', () => {
    const check = resourceAt(production, 'kubernetes_cron_job_v1', 'beats-certificate-check/cron-job');
    expect(check.metadata.name).toBe('beats-certificate-check');
    expect(JSON.stringify(check)).toContain('beats-tls');
    expect(findOrderingProblems(production)).toEqual([]);
  });
});

describe('the certificate script, run with openssl', () => {
  const dir = scratchDir('beats-tls-');
  const tls = join(dir, 'tls');
  const work = join(dir, 'work');
  mkdirSync(tls);
  mkdirSync(work);
  const script = beatsTlsScript([`${SERVICE}.logging.svc`, SERVICE]).split('/tls/').join(`${tls}/`).replace('cd /work', `cd ${work}`);
  writeFileSync(join(dir, 'run.sh'), script);
  execFileSync('/bin/sh', [join(dir, 'run.sh')], { stdio: 'pipe' });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  test('stores exactly the five files, the server key in PKCS#8, no CA key', () => {
    expect(readdirSync(tls).sort()).toEqual(Object.values(BEATS_TLS_KEYS).sort());
    expect(readFileSync(join(tls, 'server.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readdirSync(work)).toEqual([]);
  });

  test('the server certificate verifies for the Service name, the client certificate for client auth', () => {
    expect(openssl('verify', '-CAfile', join(tls, 'ca.crt'), '-purpose', 'sslserver', '-verify_hostname', `${SERVICE}.logging.svc`, join(tls, 'server.crt'))).toContain(': OK');
    expect(() => openssl('verify', '-CAfile', join(tls, 'ca.crt'), '-verify_hostname', 'elasticsearch-es-http.logging.svc', join(tls, 'server.crt'))).toThrow();
    expect(openssl('verify', '-CAfile', join(tls, 'ca.crt'), '-purpose', 'sslclient', join(tls, 'client.crt'))).toContain(': OK');
    expect(() => openssl('verify', '-CAfile', join(tls, 'ca.crt'), '-purpose', 'sslserver', join(tls, 'client.crt'))).toThrow();
  });
});

describe('Filebeat -> Logstash over TLS (rendered by helm)', () => {
  let prod: EnvironmentRender;
  beforeAll(async () => {
    prod = (await renderAll()).find((e) => e.env === 'production')!;
  }, 600_000);

  test('the Logstash resource ECK receives mounts the server files and runs the TLS beats input', () => {
    const release = prod.rendered.releases.find((r) => r.path.endsWith('logging/logstash/release'))!;
    expect(release.error).toBeUndefined();
    const logstash = release.objects.map((o) => o.object as Json).find((o) => o.kind === 'Logstash')!;
    expect(logstash.spec.pipelines[0]['config.string']).toContain('ssl_client_authentication => "required"');
    expect(logstash.spec.podTemplate.spec.volumes[0].secret).toMatchObject({ secretName: 'beats-tls' });
    expect(logstash.spec.podTemplate.spec.containers[0].volumeMounts[0].mountPath).toBe('/usr/share/logstash/beats-tls');
    expect(logstash.spec.services[0].service.spec.ports[0].port).toBe(5044);
  });
});

describe('least-privilege Elasticsearch users instead of the elastic superuser', () => {
  const es = valuesAt(production, 'logging/elasticsearch/release');
  const logstash = valuesAt(production, 'logging/logstash/release');
  const ilm = resources(production, 'kubernetes_job_v1').find((j) => j.metadata.name.startsWith('elasticsearch-ilm-setup-'))!;
  const userSecrets = JSON.parse(resourceAt(production, 'helm_release', 'logging/users/release/release').values[0]).secrets;
  const roles = JSON.parse(userSecrets.find((x: Json) => x.name === 'elasticsearch-roles').static['roles.yml']);

  test('Elasticsearch loads a file-realm user per workload and their roles', () => {
    expect(es.auth).toEqual({
      fileRealm: [{ secretName: 'elasticsearch-user-logstash' }, { secretName: 'elasticsearch-user-ilm-setup' }],
      roles: [{ secretName: 'elasticsearch-roles' }],
    });
    expect(userSecrets.slice(0, 2)).toEqual([
      { name: 'elasticsearch-user-logstash', type: 'kubernetes.io/basic-auth', static: { username: 'toronto-ai-logstash', roles: 'toronto_ai_logs_writer' }, generated: ['password'] },
      { name: 'elasticsearch-user-ilm-setup', type: 'kubernetes.io/basic-auth', static: { username: 'toronto-ai-ilm-setup', roles: 'toronto_ai_ilm_setup' }, generated: ['password'] },
    ]);
    expect(resourceAt(production, 'helm_release', 'logging/elasticsearch/release').depends_on.join(' ')).toContain('logging_users_release');
  });

  test('Logstash may only append to toronto-ai-* indices and create them', () => {
    expect(roles.toronto_ai_logs_writer).toEqual({ cluster: ['monitor'], indices: [{ names: ['toronto-ai-*'], privileges: ['create_doc', 'create_index'] }] });
    const pipeline = unescapeTemplate(logstash.pipelines[0]['config.string']);
    expect(pipeline).toContain('user => "${ES_USER}"');
    expect(pipeline).toContain('action => "create"');
    expect(pipeline).not.toMatch(/user => "elastic"/);
    expect(logstash.podTemplate.spec.containers[0].env).toEqual([
      { name: 'ES_USER', valueFrom: { secretKeyRef: { name: 'elasticsearch-user-logstash', key: 'username' } } },
      { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-user-logstash', key: 'password' } } },
    ]);
  });

  test('the ILM Job may only manage lifecycle policies and index templates, and mounts no service-account token', () => {
    expect(roles.toronto_ai_ilm_setup).toEqual({ cluster: ['monitor', 'manage_ilm', 'manage_index_templates'], indices: [] });
    const spec = ilm.spec.template.spec;
    expect(spec.automount_service_account_token).toBe(false);
    expect(spec.container[0].env.filter((e: Json) => e.value_from).map((e: Json) => e.value_from.secret_key_ref)).toEqual([
      { name: 'elasticsearch-user-ilm-setup', key: 'username' },
      { name: 'elasticsearch-user-ilm-setup', key: 'password' },
    ]);
    const script = unescapeTemplate(resourceAt(production, 'kubernetes_config_map_v1', 'logging/ilm-config').data['setup.sh']);
    expect(script).toContain('auth="${ES_USER}:${ES_PASSWORD}"');
    expect(script).not.toContain('elastic:');
  });

  test('no workload reads the elastic superuser\'s Secret', () => {
    expect(JSON.stringify(production)).not.toContain('elasticsearch-es-elastic-user');
  });
});
