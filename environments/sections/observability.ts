/**
 * The `observability` section of an environment definition (OBS-1..4, SEC-2, SEC-3): metrics
 * retention and storage, Alertmanager receivers and routes, the logging cluster's size and
 * retention, and the security tooling's knobs.
 *
 * Field rules live on the fields; rules that depend on the tier (production sizes) or on other
 * fields (routes naming declared receivers) live in `checkObservability`, which the environment
 * schema's cross-field check calls.
 */
import { z } from 'zod/v4';
import { volumeGiB } from './data';

/** A Kubernetes object name (RFC 1123 DNS label). */
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes name (lower-case letters, digits and dashes)')
  .max(63);

/**
 * Where a credential lives: the name of a Kubernetes Secret in the `monitoring` namespace and the
 * key inside it. Never the credential itself. The platform creates that Secret in the cluster by
 * syncing it (External Secrets) from the AWS Secrets Manager secret
 * `<prefix>/monitoring/<name>/<key>`, which the cloud stack creates empty and a person fills
 * with `aws secretsmanager put-secret-value` (README, Deploying).
 */
export const secretKeyRefSchema = z
  .object({
    /** Name of the Secret in the namespace of the consumer (monitoring), synced from Secrets Manager. */
    name: k8sName,
    /** Key inside the Secret. */
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret data key (letters, digits, -, _, .)'),
  })
  .strict();

const receiverName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits and dashes')
  .refine((v) => v !== 'null', { message: "'null' is reserved for the Watchdog sink" });

/** The receiver kinds Alertmanager is wired for. */
export const RECEIVER_TYPES = ['slack', 'pagerduty', 'email', 'webhook'] as const;

export const receiverSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('slack'),
        name: receiverName,
        /** Channel such as `#deia-alerts` (seed 003). */
        channel: z.string().regex(/^#[a-z0-9_-]+$/, 'must be a Slack channel such as #deia-alerts'),
        /** Secret holding the incoming-webhook URL (mounted, read through `api_url_file`). */
        apiUrlSecret: secretKeyRefSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('pagerduty'),
        name: receiverName,
        /** Secret holding the Events API v2 routing key (read through `routing_key_file`). */
        routingKeySecret: secretKeyRefSchema,
      })
      .strict(),
    z
      .object({
        type: z.literal('email'),
        name: receiverName,
        to: z.string().email(),
        from: z.string().email(),
        /** SMTP relay as `host:port`. */
        smarthost: z
          .string()
          .regex(/^[a-z0-9.-]+:\d{1,5}$/, 'must be host:port')
          .refine((v) => { const port = Number(v.split(':')[1]); return port >= 1 && port <= 65535; }, { message: 'the port must be 1-65535' }),
        authUsername: z.string().min(1).optional(),
        /** Secret holding the SMTP password (read through `auth_password_file`). */
        authPasswordSecret: secretKeyRefSchema.optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('webhook'),
        name: receiverName,
        /** Secret holding the webhook URL, which often embeds a token (read through `url_file`). */
        urlSecret: secretKeyRefSchema,
      })
      .strict(),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
        ? `unknown receiver type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type)}; use one of ${RECEIVER_TYPES.join(', ')}`
        : undefined,
  },
);
export type Receiver = z.output<typeof receiverSchema>;

/** Alert severities the rules carry (see constructs/observability/alert-rules.ts). */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const routeSchema = z
  .object({
    severity: z.enum(SEVERITIES),
    /** Name of a receiver declared in `receivers`. */
    receiver: z.string(),
    /** How often a still-firing alert is sent again (hours). */
    repeatIntervalHours: z.number().int().min(1).max(168).default(4),
  })
  .strict();

const days = (what: string) =>
  z
    .number()
    .int()
    .refine((v) => v >= 1, { error: (issue) => `${what} must be at least 1 day; got ${String(issue.input)}` });

/** Quantities are whole GiB; a cron-like interval is whole hours. */
export const observabilitySchema = z
  .object({
    prometheus: z
      .object({
        /** Days of metrics kept on the Prometheus volume. */
        retentionDays: days('metrics retention'),
        /** Size of each Prometheus volume (GiB); production needs >= 50 (OBS-1, seed 000). */
        storageGiB: volumeGiB,
        /** Prometheus replicas (each scrapes everything; 2 for HA). */
        replicas: z.number().int().min(1).max(3),
      })
      .strict(),
    grafana: z
      .object({
        /**
         * Grafana persistence (GiB); seed 000: 10. The admin password is generated in the cluster
         * (Secret `kube-prometheus-stack-grafana` in `monitoring`); nothing is created by hand.
         */
        storageGiB: volumeGiB,
      })
      .strict(),
    alertmanager: z
      .object({
        replicas: z.number().int().min(1).max(5),
        /** Where alerts go; credentials only as references to Secrets synced from Secrets Manager. */
        receivers: z.array(receiverSchema).min(1, 'declare at least one receiver'),
        /** Receiver of alerts no route matches. */
        defaultReceiver: z.string(),
        /** One route per severity (first match wins). */
        routes: z.array(routeSchema),
        /**
         * Link every alert carries as `runbook_url`: the README's decision matrix (rollback /
         * investigate / ok) in the repository the team reads.
         * @default the README of this repository on its main branch
         */
        runbookUrl: z
          .string()
          .url()
          .refine((v) => v.endsWith('#alert-decision-matrix'), { message: 'must point at the README anchor #alert-decision-matrix' })
          .default('https://github.com/toronto-ai/platform-infra/blob/main/README.md#alert-decision-matrix'),
      })
      .strict(),
    logging: z
      .object({
        /** Elastic Stack version for Elasticsearch, Kibana, Logstash and Filebeat (ECK). */
        elasticVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be an exact Elastic Stack version such as 9.1.5'),
        elasticsearch: z
          .object({
            /** Nodes (all master-eligible data nodes); production needs >= 3 (OBS-4). */
            nodes: z.number().int().min(1).max(9),
            /** Data volume per node (GiB). */
            storageGiB: volumeGiB,
            /** Memory request = limit per node (GiB); the JVM heap takes half. */
            memoryGiB: z.number().int().min(1).max(64),
          })
          .strict(),
        /** Days an index is kept before the lifecycle policy deletes it (seed 000: 14). */
        retentionDays: days('log retention'),
        logstashReplicas: z.number().int().min(1).max(5),
        kibanaReplicas: z.number().int().min(1).max(3),
      })
      .strict(),
    security: z
      .object({
        /** SEC-3: GuardDuty detector with EKS audit-log and runtime monitoring in the cloud stack. */
        guardDuty: z.boolean(),
        clamav: z
          .object({
            /** Hours between two read-only scans of each node's file system. */
            scanIntervalHours: z.number().int().min(1).max(168),
            /** Signature update checks per day (freshclam --checks). */
            signatureChecksPerDay: z.number().int().min(1).max(50),
            /** Pinned clamav/clamav image tag (never latest). */
            imageTag: z.string().regex(/^\d+\.\d+\.\d+(-\d+)?$/, 'must be a pinned clamav/clamav tag such as 1.4.2'),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type Observability = z.output<typeof observabilitySchema>;

/** Minimums for production-like tiers (OBS-1, OBS-4). */
export const OBSERVABILITY_MINIMUMS = {
  prometheusStorageGiB: 50,
  elasticsearchNodes: 3,
} as const;

type Path = (string | number)[];

/**
 * Cross-field rules of the section. `productionLike` is true for staging and production;
 * `report` adds one issue at `observability.<path>`.
 */
export function checkObservability(
  tier: string,
  obs: Observability,
  report: (path: Path, message: string) => void,
): void {
  const at = (...p: Path): Path => ['observability', ...p];
  const strict = tier === 'production' || tier === 'staging';
  if (strict && obs.prometheus.storageGiB < OBSERVABILITY_MINIMUMS.prometheusStorageGiB) {
    report(
      at('prometheus', 'storageGiB'),
      `${obs.prometheus.storageGiB} GiB is below the ${OBSERVABILITY_MINIMUMS.prometheusStorageGiB} GiB Prometheus needs in ${tier} (OBS-1)`,
    );
  }
  const es = obs.logging.elasticsearch;
  if (strict && es.nodes < OBSERVABILITY_MINIMUMS.elasticsearchNodes) {
    report(
      at('logging', 'elasticsearch', 'nodes'),
      `${es.nodes} Elasticsearch node(s) is below the ${OBSERVABILITY_MINIMUMS.elasticsearchNodes} master-eligible nodes ${tier} needs (OBS-4)`,
    );
  }
  if (es.nodes === 2) {
    report(
      at('logging', 'elasticsearch', 'nodes'),
      '2 master-eligible nodes cannot elect a master when one is lost; use 1 (development) or 3 or more',
    );
  }
  const names = obs.alertmanager.receivers.map((r) => r.name);
  const seen = new Set<string>();
  obs.alertmanager.receivers.forEach((r, i) => {
    if (seen.has(r.name)) report(at('alertmanager', 'receivers', i, 'name'), `receiver ${r.name} is declared twice`);
    seen.add(r.name);
    if (r.type === 'email' && (r.authUsername === undefined) !== (r.authPasswordSecret === undefined)) {
      report(at('alertmanager', 'receivers', i), 'authUsername and authPasswordSecret go together: set both or neither');
    }
  });
  if (!names.includes(obs.alertmanager.defaultReceiver)) {
    report(
      at('alertmanager', 'defaultReceiver'),
      `${obs.alertmanager.defaultReceiver} is not a declared receiver (declared: ${names.join(', ')})`,
    );
  }
  obs.alertmanager.routes.forEach((r, i) => {
    if (!names.includes(r.receiver)) {
      report(at('alertmanager', 'routes', i, 'receiver'), `${r.receiver} is not a declared receiver (declared: ${names.join(', ')})`);
    }
  });
  if (strict && !obs.alertmanager.routes.some((r) => r.severity === 'critical')) {
    report(at('alertmanager', 'routes'), `${tier} needs a route for critical alerts (the rollback triggers)`);
  }
}
