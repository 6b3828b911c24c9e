/**
 * The Logstash pipeline of seed 000 (4.3.3 and 1.3.3) as text, and the Elasticsearch index
 * lifecycle documents that go with its daily indices.
 */

/** Port of the beats input (seed 000). */
export const BEATS_PORT = 5044;

/** Prefix of the daily indices: `toronto-ai-YYYY.MM.dd` (seed 000). */
export const INDEX_PREFIX = 'toronto-ai';

/** Name of the lifecycle policy and of the index template that attaches it. */
export const ILM_POLICY = 'toronto-ai-logs';

export interface PipelineOptions {
  /** Namespaces whose lines are parsed as `<ISO8601 timestamp> <LEVEL> <message>` (seed 000: toronto-ai). */
  readonly appNamespaces: readonly string[];
  /** Namespace of the malware scanner, whose `FOUND` lines are tagged `malware`. */
  readonly securityNamespace: string;
  /**
   * TLS of the beats input: the server certificate and its PKCS#8 key, and the CA every client
   * certificate must be signed by (clients without one are refused).
   */
  readonly beatsTls: { readonly certificate: string; readonly key: string; readonly certificateAuthority: string };
}

/**
 * beats input on 5044 (TLS, client certificates required) -> grok of timestamp / level / message for the application's namespaces,
 * `error` tag on ERROR lines, `malware` tag on ClamAV detections -> Elasticsearch, one index per
 * day. `ECK_ES_*` variables are injected by ECK from the `elasticsearchRefs` association (hosts
 * and CA); the writer's user and password come from the Pod's environment (a Secret reference).
 */
export function logstashPipeline(options: PipelineOptions): string {
  const namespaces = options.appNamespaces.map((n) => `"${n}"`).join(', ');
  return [
    'input {',
    '  beats {',
    `    port => ${BEATS_PORT}`,
    '    ssl_enabled => true',
    `    ssl_certificate => "${options.beatsTls.certificate}"`,
    `    ssl_key => "${options.beatsTls.key}"`,
    `    ssl_certificate_authorities => ["${options.beatsTls.certificateAuthority}"]`,
    '    ssl_client_authentication => "required"',
    '    ssl_supported_protocols => ["TLSv1.2", "TLSv1.3"]',
    '  }',
    '}',
    'filter {',
    `  if [kubernetes][namespace] in [${namespaces}] {`,
    '    grok {',
    '      match => { "message" => "%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:log_level} %{GREEDYDATA:log_message}" }',
    '    }',
    '    if [log_level] == "ERROR" {',
    '      mutate { add_tag => ["error"] }',
    '    }',
    '  }',
    `  if [kubernetes][namespace] == "${options.securityNamespace}" and [message] =~ / FOUND$/ {`,
    '    mutate { add_tag => ["malware"] }',
    '  }',
    '}',
    'output {',
    '  elasticsearch {',
    '    hosts => ["${ECK_ES_HOSTS}"]',
    '    ssl_certificate_authorities => "${ECK_ES_SSL_CERTIFICATE_AUTHORITY}"',
    // The file-realm user of the `toronto_ai_logs_writer` role (see ES_ROLES), from the Pod's
    // environment; `create` only appends: the writer cannot overwrite a stored line.
    '    user => "${ES_USER}"',
    '    password => "${ES_PASSWORD}"',
    '    action => "create"',
    `    index => "${INDEX_PREFIX}-%{+YYYY.MM.dd}"`,
    '    ilm_enabled => false',
    '    manage_template => false',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** ILM policy: delete an index `retentionDays` after it was created (no rollover: indices are daily). */
export function ilmPolicy(retentionDays: number): Record<string, unknown> {
  return {
    policy: {
      phases: {
        hot: { min_age: '0ms', actions: { set_priority: { priority: 100 } } },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
    },
  };
}

/** Index template attaching the policy to every `toronto-ai-*` index. */
export function indexTemplate(replicas: number): Record<string, unknown> {
  return {
    index_patterns: [`${INDEX_PREFIX}-*`],
    priority: 200,
    template: {
      settings: {
        'index.lifecycle.name': ILM_POLICY,
        'index.number_of_replicas': replicas,
      },
    },
  };
}

/** Roles of the Elasticsearch file realm (ECK `auth.roles`): each client gets only what it uses. */
export const ES_ROLES = {
  /**
   * Logstash: append documents to the `toronto-ai-*` indices and create each day's index; `monitor`
   * for the output's version and license checks. No index templates, no ILM, no other index.
   */
  logsWriter: 'toronto_ai_logs_writer',
  /** The ILM set-up Job: install the lifecycle policy and the index template; read cluster health. */
  ilmSetup: 'toronto_ai_ilm_setup',
} as const;

/** The roles document (`roles.yml` of the ECK roles Secret), as an object. */
export function esRoles(): Record<string, unknown> {
  return {
    [ES_ROLES.logsWriter]: {
      cluster: ['monitor'],
      indices: [{ names: [`${INDEX_PREFIX}-*`], privileges: ['create_doc', 'create_index'] }],
    },
    [ES_ROLES.ilmSetup]: {
      cluster: ['monitor', 'manage_ilm', 'manage_index_templates'],
      indices: [],
    },
  };
}
