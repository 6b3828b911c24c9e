/**
 * The `services` section of an environment definition: the service tier around the application
 * (seed 004 "Service Layer", seed 003 Ollama, seed 000 release tasks and beta services).
 *
 * - `agents`: the multi-agent system (JacLang runtime), fed by its SQS queue;
 * - `coordinator`: the agent coordinator, which hands tasks to the agents through that queue;
 * - `workers`: Celery workers, scaled on the depth of their queue (KEDA);
 * - `beat`: the Celery beat scheduler, always exactly one replica (two would run every task twice);
 * - `websocket`: the WebSocket servers behind the load balancer (`/ws/`);
 * - `inference`: the AI service (Ollama) on its own node pool, models on a persistent volume;
 * - `onboarding` (stable channel) and `feedback` (beta channel): seed 000's phase 2/3 services;
 * - `queues`, `files`, `email`, `registry`: the AWS resources they use.
 *
 * Every service of the stable channel also runs in the beta channel of production (its own queues,
 * database and credentials) at `betaReplicas` each: beta's tasks never reach production's workers.
 */
import { z } from 'zod/v4';
import { cpuMillis, cpuQuantity, memoryBytes, memoryQuantity } from '../quantity';
import { imageTag } from './app';

const resourcesSchema = z
  .object({
    requests: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
    limits: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
  })
  .strict();

const replicas = z.number().int().min(1).max(100);

/** A long-running service with a fixed replica count. */
const fixedService = z.object({ replicas, resources: resourcesSchema }).strict();

const repository = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'must be an image repository such as docker.io/torontoai/jac-runtime (no tag)');

/** An Ollama model reference (`llama3.1:8b`, `nomic-embed-text`). */
const modelName = z.string().regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9._-]+)?(:[a-z0-9._-]+)?$/, 'must be an Ollama model name such as llama3.1:8b');

export const servicesSchema = z
  .object({
    /** Multi-agent system: the JacLang runtime (its own image), consuming the agent-task queue. */
    agents: z
      .object({
        image: z.object({ repository, tag: imageTag }).strict(),
        replicas,
        resources: resourcesSchema,
      })
      .strict(),
    /** Agent coordinator (same image as the agents, coordinator entry point). */
    coordinator: fixedService,
    /** Celery workers: KEDA scales them between the bounds on their queue's visible messages. */
    workers: z
      .object({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1).max(100),
        /** Visible messages per worker replica KEDA aims at. */
        messagesPerReplica: z.number().int().min(1).max(10000),
        /** Worker processes per pod (`celery worker --concurrency`). */
        concurrency: z.number().int().min(1).max(64),
        resources: resourcesSchema,
      })
      .strict(),
    /** Celery beat: one replica, not configurable. */
    beat: z.object({ resources: resourcesSchema }).strict(),
    websocket: fixedService,
    /** AI inference (seed 003: Ollama on 11434) on the `inference` pool (CPU, or GPU where the pool says so). */
    inference: z
      .object({
        /** `ollama/ollama` image tag. */
        imageTag,
        replicas,
        resources: resourcesSchema,
        /** Models pulled into the model volume before a replica serves. */
        models: z.array(modelName).min(1),
      })
      .strict(),
    onboarding: fixedService,
    feedback: fixedService,
    /** Replicas of each service in the beta channel (production only). */
    betaReplicas: z.number().int().min(1).max(10).default(1),
    queues: z
      .object({
        /** How long an unconsumed message is kept (SQS: 1 minute to 14 days). */
        retentionDays: z.number().int().min(1).max(14),
        /** Receives before a message goes to the dead-letter queue. */
        maxReceiveCount: z.number().int().min(1).max(1000),
        /** Seconds a received message stays invisible (>= the longest task). */
        visibilityTimeoutSeconds: z.number().int().min(0).max(43200),
        /** Alarm when the oldest message is older than this (seconds). */
        oldestMessageAlarmSeconds: z.number().int().min(60),
      })
      .strict(),
    /** Object storage of the application's files (seed 004: file-storage RPO 1 hour). */
    files: z
      .object({
        /** Overwritten and deleted versions are kept this many days. */
        noncurrentVersionExpiryDays: z.number().int().min(1),
        /** Seed 004 file-storage RPO; replication (with S3 RTC: 15 minutes) must meet it. */
        rpoMinutes: z.number().int().min(15),
      })
      .strict(),
    /** Invitation and welcome e-mail (seed 000 `send_beta_invitations`) through SES. */
    email: z
      .object({
        /** The sender; its domain is verified in SES (DKIM through the environment's hosted zone). */
        fromAddress: z.string().regex(/^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/, 'must be an e-mail address such as noreply@example.com'),
      })
      .strict(),
    /** The release's image registry (ECR): scan on push, immutable tags, lifecycle. */
    registry: z
      .object({
        /** Untagged images are expired after this many days; tagged releases are kept up to `keepReleases`. */
        untaggedExpiryDays: z.number().int().min(1),
        keepReleases: z.number().int().min(2),
      })
      .strict(),
  })
  .strict();

export type ServicesSection = z.output<typeof servicesSchema>;

/** The WebSocket servers ping idle connections this often (seconds); the load balancer's idle timeout must be longer. */
export const WEBSOCKET_PING_SECONDS = 20;

type Report = (path: (string | number)[], message: string) => void;

/** A WebSocket connection that only pings must outlive the load balancer's idle timeout. */
export function checkWebsocketIdle(idleTimeoutSeconds: number, report: Report): void {
  if (idleTimeoutSeconds <= WEBSOCKET_PING_SECONDS * 2) {
    report(['edge', 'loadBalancer', 'idleTimeoutSeconds'], `${idleTimeoutSeconds} s would close idle WebSocket connections: the servers ping every ${WEBSOCKET_PING_SECONDS} s, so the idle timeout must be above ${WEBSOCKET_PING_SECONDS * 2} s (two missed pings)`);
  }
}

/** Rules across the services section's own fields. */
export function checkServices(s: ServicesSection, report: Report): void {
  if (s.workers.minReplicas > s.workers.maxReplicas) {
    report(['services', 'workers', 'minReplicas'], `must be <= workers.maxReplicas; got ${s.workers.minReplicas} > ${s.workers.maxReplicas}`);
  }
  const resources: [string, { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }][] = [
    ['agents', s.agents.resources],
    ['coordinator', s.coordinator.resources],
    ['workers', s.workers.resources],
    ['beat', s.beat.resources],
    ['websocket', s.websocket.resources],
    ['inference', s.inference.resources],
    ['onboarding', s.onboarding.resources],
    ['feedback', s.feedback.resources],
  ];
  for (const [name, r] of resources) {
    if (cpuMillis(r.limits.cpu) < cpuMillis(r.requests.cpu)) {
      report(['services', name, 'resources', 'limits', 'cpu'], `${r.limits.cpu} is below the request of ${r.requests.cpu}; limits must be >= requests`);
    }
    if (memoryBytes(r.limits.memory) < memoryBytes(r.requests.memory)) {
      report(['services', name, 'resources', 'limits', 'memory'], `${r.limits.memory} is below the request of ${r.requests.memory}; limits must be >= requests`);
    }
  }
  // SQS: a message must become visible again before it is kept no longer.
  if (s.queues.visibilityTimeoutSeconds >= s.queues.retentionDays * 86400) {
    report(['services', 'queues', 'visibilityTimeoutSeconds'], 'must be shorter than the retention period');
  }
  if (new Set(s.inference.models).size !== s.inference.models.length) {
    report(['services', 'inference', 'models'], 'lists a model twice');
  }
}

/**
 * The sender's domain is verified in SES through DKIM records written to the environment's hosted
 * zone (edge.hostedZoneId, which holds edge.domainName): it must be that domain or below it.
 */
export function checkEmailDomain(email: ServicesSection['email'], zoneDomain: string, report: Report): void {
  const domain = email.fromAddress.slice(email.fromAddress.indexOf('@') + 1);
  if (domain !== zoneDomain && !domain.endsWith(`.${zoneDomain}`)) {
    report(['services', 'email', 'fromAddress'], `${domain} is not in the hosted zone ${zoneDomain} (edge.domainName); its DKIM records can only be written there`);
  }
}
