/**
 * What the two stacks agree on for the service tier (seed 004 "Service Layer"): each service's
 * name, namespace, service account, port and command; the queues, the file store and the e-mail
 * identity they use; who may use which AWS resource. The cloud side (features/services/cloud.ts)
 * builds the queues, buckets, e-mail identity, registry and one Pod Identity role per service
 * account from this; the platform side (features/services/platform.ts) builds the workloads.
 *
 * The services of the application's image (workers, beat, WebSocket, onboarding, feedback,
 * migrations) run its entry points; the agents and coordinator run the JacLang runtime image.
 * Every service of a channel runs in that channel's namespace with its own service account, so
 * each AWS permission is held by exactly the service that needs it.
 */
import type { Environment } from '../../environments/schema';
import type { PlatformContext } from '../context';
import { APP_NAME, AppChannel, ChannelName, channelsOf } from '../app/contract';
import { WEBSOCKET_PING_SECONDS as WEBSOCKET_PING_SECONDS_VALUE } from '../../environments/sections/services';

/** The inference service's namespace (shared by both channels; it holds no user data). */
export { INFERENCE_NAMESPACE, INFERENCE_NAME } from '../../constructs/observability/alert-rules';
/** Seed 003: Ollama's API port. */
export const INFERENCE_PORT = 11434;
/** Service accounts of the inference pods (read the model store) and of the model-pull job (write it). */
export const INFERENCE_SERVICE_ACCOUNT = 'ollama';
export const MODEL_SYNC_SERVICE_ACCOUNT = 'model-sync';
/** Prefix of the model store bucket the models live under. */
export const MODEL_STORE_PREFIX = 'models/';

/** The SQS queues of a channel: agent tasks (coordinator -> agents) and Celery's default queue. */
export type QueueKey = 'agent-tasks' | 'celery';
export const QUEUE_KEYS: readonly QueueKey[] = ['agent-tasks', 'celery'];

/** AWS access a service needs; the cloud side turns each into IAM statements on its role. */
export type AwsNeed =
  | { readonly kind: 'queue-consume'; readonly queue: QueueKey }
  | { readonly kind: 'queue-send'; readonly queue: QueueKey }
  | { readonly kind: 'files-read-write' }
  | { readonly kind: 'send-email' };

export type ServiceKey = 'agents' | 'coordinator' | 'workers' | 'beat' | 'websocket' | 'onboarding' | 'feedback';

export interface ServiceSpec {
  readonly key: ServiceKey;
  /** Deployment, Service and service-account name: `toronto-ai-<key>`. */
  readonly name: string;
  /** `app`: the application's image at the active release; `agents`: the JacLang runtime image. */
  readonly image: 'app' | 'agents';
  /** Entry point (left out: the image's own). */
  readonly command?: readonly string[];
  /** HTTP port with health endpoints; left out for queue consumers (probed by exec). */
  readonly port?: number;
  /** Channels the service runs in. */
  readonly channels: readonly ChannelName[];
  readonly aws: readonly AwsNeed[];
  /** Other services of the same channel it calls (in-cluster flows). */
  readonly calls: readonly ServiceKey[];
  /** Whether the application pods call it (a flow from the application). */
  readonly calledByApp: boolean;
  /** Whether it calls the AI service. */
  readonly usesInference: boolean;
  /** Whether it reads the channel's database credentials from Vault (the channel's Vault role). */
  readonly usesDatabase: boolean;
}

const both: readonly ChannelName[] = ['stable', 'beta'];

/** The Django settings module's Celery app (`celery -A config`). */
const CELERY_APP = 'config';

export const SERVICES: Readonly<Record<ServiceKey, ServiceSpec>> = {
  agents: {
    key: 'agents',
    name: `${APP_NAME}-agents`,
    image: 'agents',
    command: ['jac', 'serve', 'agents.jac', '--host', '0.0.0.0', '--port', '8001'],
    port: 8001,
    channels: both,
    aws: [{ kind: 'queue-consume', queue: 'agent-tasks' }, { kind: 'files-read-write' }],
    calls: [],
    calledByApp: false,
    usesInference: true,
    usesDatabase: true,
  },
  coordinator: {
    key: 'coordinator',
    name: `${APP_NAME}-coordinator`,
    image: 'agents',
    command: ['jac', 'serve', 'coordinator.jac', '--host', '0.0.0.0', '--port', '8003'],
    port: 8003,
    channels: both,
    aws: [{ kind: 'queue-send', queue: 'agent-tasks' }],
    calls: ['agents'],
    calledByApp: true,
    usesInference: false,
    usesDatabase: true,
  },
  workers: {
    key: 'workers',
    name: `${APP_NAME}-workers`,
    image: 'app',
    command: ['celery', '-A', CELERY_APP, 'worker', '--loglevel=INFO', '--queues=celery'],
    channels: both,
    aws: [{ kind: 'queue-consume', queue: 'celery' }, { kind: 'queue-send', queue: 'celery' }, { kind: 'files-read-write' }, { kind: 'send-email' }],
    calls: ['coordinator'],
    calledByApp: false,
    usesInference: true,
    usesDatabase: true,
  },
  beat: {
    key: 'beat',
    name: `${APP_NAME}-beat`,
    image: 'app',
    command: ['celery', '-A', CELERY_APP, 'beat', '--loglevel=INFO', '--schedule=/tmp/celerybeat-schedule'],
    channels: both,
    aws: [{ kind: 'queue-send', queue: 'celery' }],
    calls: [],
    calledByApp: false,
    usesInference: false,
    usesDatabase: true,
  },
  websocket: {
    key: 'websocket',
    name: `${APP_NAME}-websocket`,
    image: 'app',
    command: ['daphne', '--bind', '0.0.0.0', '--port', '8002', '--ping-interval', String(WEBSOCKET_PING_SECONDS_VALUE), '--ping-timeout', '30', 'config.asgi:application'],
    port: 8002,
    channels: both,
    aws: [{ kind: 'queue-send', queue: 'celery' }],
    calls: ['coordinator'],
    calledByApp: false,
    usesInference: false,
    usesDatabase: true,
  },
  onboarding: {
    key: 'onboarding',
    name: `${APP_NAME}-onboarding`,
    image: 'app',
    command: ['gunicorn', 'onboarding.wsgi:application', '--bind', '0.0.0.0:8004'],
    port: 8004,
    channels: ['stable'],
    aws: [{ kind: 'send-email' }],
    calls: [],
    calledByApp: true,
    usesInference: false,
    usesDatabase: true,
  },
  feedback: {
    key: 'feedback',
    name: `${APP_NAME}-feedback`,
    image: 'app',
    command: ['gunicorn', 'feedback.wsgi:application', '--bind', '0.0.0.0:8005'],
    port: 8005,
    channels: ['beta'],
    aws: [{ kind: 'send-email' }],
    calls: [],
    calledByApp: true,
    usesInference: false,
    usesDatabase: true,
  },
};

/** Health paths of the HTTP services (the Django and JacLang services both serve them). */
export const SERVICE_LIVENESS_PATH = '/healthz';
export const SERVICE_READINESS_PATH = '/readyz';

/** The WebSocket servers' path on the public load balancer (routed to them, not to the API). */
export const WEBSOCKET_PATH = '/ws/*';
export const WEBSOCKET_PORT = 8002;
/** The WebSocket servers ping idle connections this often: under the load balancer's idle timeout (a definition rule). */

/** The services `env` runs in channel `c`. */
export function servicesOf(c: AppChannel): ServiceSpec[] {
  return Object.values(SERVICES).filter((s) => s.channels.includes(c.name));
}

/** Every (channel, service) pair `env` runs. */
export function serviceInstances(env: Environment): { channel: AppChannel; service: ServiceSpec }[] {
  return channelsOf(env).flatMap((channel) => servicesOf(channel).map((service) => ({ channel, service })));
}

/** Name of a channel's queue (`<prefix>-<channel>-<queue>`), its dead-letter queue adds `-dlq`. */
export function queueName(prefix: string, channel: ChannelName, queue: QueueKey): string {
  return `${prefix}-${channel}-${queue}`;
}

/** The ConfigMap keys that tell a service where its queues, files, e-mail sender and AI service are. */
export const SERVICE_CONFIG_KEYS = {
  agentQueueUrl: 'AGENT_TASKS_QUEUE_URL',
  celeryQueueUrl: 'CELERY_QUEUE_URL',
  celeryBrokerUrl: 'CELERY_BROKER_URL',
  filesBucket: 'FILES_BUCKET',
  filesPrefix: 'FILES_PREFIX',
  emailFrom: 'EMAIL_FROM',
  emailBackend: 'EMAIL_BACKEND',
  emailConfigurationSet: 'AWS_SES_CONFIGURATION_SET',
  inferenceUrl: 'OLLAMA_BASE_URL',
  coordinatorUrl: 'AGENT_COORDINATOR_URL',
  websocketUrl: 'WEBSOCKET_URL',
  onboardingUrl: 'ONBOARDING_URL',
  feedbackUrl: 'FEEDBACK_URL',
} as const;

/** The prefix of a channel's files in the files bucket (`stable/`, `beta/`). */
export function filesPrefix(c: ChannelName): string {
  return `${c}/`;
}

/** AWS access of the application pods themselves (their role also holds the cache connect, features/data/cloud.ts). */
export const APP_AWS_NEEDS: readonly AwsNeed[] = [{ kind: 'queue-send', queue: 'celery' }, { kind: 'queue-send', queue: 'agent-tasks' }, { kind: 'files-read-write' }];

/** Namespace of the Argo Rollouts controller (it queries Prometheus and the AI service's canary). */
export const ROLLOUTS_NAMESPACE = 'argo-rollouts';
/** Argo Rollouts' metrics port. */
export const ROLLOUTS_METRICS_PORT = 8090;
/** KEDA's admission webhooks and its external-metrics API server (called by the API server). */
export const KEDA_WEBHOOK_PORTS: readonly number[] = [9443, 6443];

/** Namespace and service account of KEDA's operator, which reads the queues' depth (sqs:GetQueueAttributes). */
export const KEDA_NAMESPACE = 'keda';
export const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';

/** The URL of a channel's queue (the cloud stack builds one per channel the environment runs). */
export function queueUrlOf(ctx: Pick<PlatformContext, 'cloud'>, c: AppChannel, queue: QueueKey): string {
  const url = ctx.cloud.serviceQueueUrls[c.name]?.[queue];
  if (url === undefined) throw new Error(`features/services: the cloud stack has no ${queue} queue for the ${c.name} channel`);
  return url;
}
