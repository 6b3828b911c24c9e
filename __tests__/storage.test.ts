/**
 * Issue 13, storage: provisioned IOPS and throughput of the database and vector volumes per
 * environment (checked against gp3's limits), and seed 004's PostgreSQL settings for PostgreSQL 17.
 */
import { Json, definitionProblems, resourceAt, shipped } from './helpers';
import { seedParameters } from '../constructs/data/postgres';

const prodPlatform = shipped('production').platform;
const devPlatform = shipped('development').platform;
const values = (json: Json, path: string) => JSON.parse(resourceAt(json, 'helm_release', path).values[0]);
const classRef = (store: string) => new RegExp(`^\\$\\{kubernetes_storage_class_v1\\.storage-class-${store}_class_[A-F0-9]+\\.metadata\\[0\\]\\.name\\}$`);

describe('provisioned gp3 volumes per store', () => {
  test.each([
    ['postgres', '12000', '500'],
    ['chroma', '6000', '250'],
  ])('production %s: its own retained, encrypted gp3 class with %s IOPS and %s MiB/s', (store, iops, throughput) => {
    const sc = resourceAt(prodPlatform, 'kubernetes_storage_class_v1', `storage-class-${store}/class`);
    expect(sc.metadata.name).toBe(`gp3-${store}-retain`);
    expect(sc.reclaim_policy).toBe('Retain');
    expect(sc.volume_binding_mode).toBe('WaitForFirstConsumer');
    expect(sc.parameters).toMatchObject({ type: 'gp3', encrypted: 'true', iops, throughput });
    expect(sc.parameters.kmsKeyId).toMatch(/volumes_key_arn|volumesKeyArn|\$\{/);
  });

  test('PostgreSQL and ChromaDB volumes use their classes', () => {
    expect(values(prodPlatform, 'postgres/cluster/release').cluster.storage.storageClass).toMatch(classRef('postgres'));
    expect(values(prodPlatform, 'chroma/release/release').volume.storageClass).toMatch(classRef('chroma'));
  });

  test('development keeps the gp3 baseline', () => {
    expect(resourceAt(devPlatform, 'kubernetes_storage_class_v1', 'storage-class-postgres/class').parameters).toMatchObject({ iops: '3000', throughput: '125' });
  });

  test.each([
    ['iops below the gp3 baseline', 'production', (d: any) => (d.data.postgres.volume.iops = 2000), 'production.data.postgres.volume.iops: must be >= 3000'],
    ['iops above the gp3 maximum', 'production', (d: any) => (d.data.chroma.volume.iops = 20000), 'production.data.chroma.volume.iops: must be <= 16000'],
    ['throughput above the gp3 maximum', 'production', (d: any) => (d.data.postgres.volume.throughputMiBps = 1200), 'production.data.postgres.volume.throughputMiBps: must be <= 1000'],
    ['throughput below the baseline', 'production', (d: any) => (d.data.postgres.volume.throughputMiBps = 100), 'production.data.postgres.volume.throughputMiBps: must be >= 125'],
    ['more than 500 IOPS per GiB', 'development', (d: any) => (d.data.postgres.volume.iops = 16000),
      'development.data.postgres.volume.iops: 16000 IOPS exceeds 500 per GiB of the 20 GiB volume (at most 10000, a gp3 limit)'],
    ['more than 0.25 MiB/s per IOPS', 'production', (d: any) => (d.data.chroma.volume = { iops: 3000, throughputMiBps: 1000 }),
      'production.data.chroma.volume.throughputMiBps: 1000 MiB/s exceeds 0.25 MiB/s per provisioned IOPS (at most 750 with 3000 IOPS, a gp3 limit)'],
  ])('%s is refused', (_what, env, mutate, message) => {
    expect(definitionProblems(env, mutate)).toEqual([message]);
  });
});

describe('seed 004 PostgreSQL settings (PostgreSQL 17)', () => {
  test('production: memory settings scaled to the 48 GiB instances, the others as the seed says', () => {
    const p = values(prodPlatform, 'postgres/cluster/release').cluster.postgresql.parameters;
    expect(p).toEqual({
      shared_buffers: '12288MB',
      effective_cache_size: '36864MB',
      work_mem: '16MB',
      maintenance_work_mem: '2048MB',
      max_connections: '100',
      max_worker_processes: '8',
      wal_level: 'replica',
      max_wal_size: '1GB',
      min_wal_size: '80MB',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
      archive_timeout: '5min',
      log_min_duration_statement: '1000',
    });
  });

  test('development (1 GiB): the seed values are the floor', () => {
    const p = values(devPlatform, 'postgres/cluster/release').cluster.postgresql.parameters;
    expect(p).toMatchObject({ shared_buffers: '256MB', effective_cache_size: '1024MB', maintenance_work_mem: '64MB' });
  });

  test('statement logging of every write stays off (values would reach the logs)', () => {
    expect(seedParameters(4096)).not.toHaveProperty('log_statement');
    expect(seedParameters(4096)).not.toHaveProperty('log_duration');
    expect(() => seedParameters(100)).toThrow(/memoryMiB must be >= 256/);
  });
});
