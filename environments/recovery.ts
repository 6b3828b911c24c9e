/**
 * The stated assumptions of a PostgreSQL restore from a volume snapshot (issue 13), shared by the
 * definition check (environments/sections/data.ts: the snapshot schedule of staging/production
 * must let such a restore meet the database RTO) and the README's recovery table
 * (scripts/recovery-table.ts, which computes the same bound from the synthesized stack).
 */
import { cronMaxGapSeconds } from './cron';

export const SNAPSHOT_RESTORE_ASSUMPTIONS = {
  /** A claim created from an EBS snapshot, attached and its pod running, minutes (blocks then load from S3 on first read). */
  volumeFromSnapshotMinutes: 5,
  /** Starting a restore (the operator's or Job's pod scheduled, the object store listed), minutes. */
  startMinutes: 2,
  /**
   * Minutes from a scheduled volume snapshot backup's start to its snapshot being ready to
   * restore from: an online backup (pg_backup_start with an immediate checkpoint, the EBS snapshot
   * cut, pg_backup_stop waiting for the last segment's archiving); EBS snapshots after the first
   * are incremental, so they copy only the blocks changed since the previous one.
   */
  snapshotReadyMinutes: 5,
  /**
   * How many times faster PostgreSQL replays archived WAL than the workload produced it. Replay
   * applies changes already computed (no parsing, planning, locking or client round trips) in one
   * process, fetching segments from S3 ahead of time (barman-cloud-wal-restore, `maxParallel`).
   * An assumption, not a measurement: a bulk load that writes WAL faster than a quarter of the
   * replay rate, or a volume whose blocks are still loading from the snapshot, breaks the bound.
   * A restore drill measures it (README: PostgreSQL restore from a volume snapshot).
   */
  walReplaySpeedup: 4,
} as const;

/**
 * Upper bound (minutes) of a restore from the newest volume snapshot under the assumptions above:
 * the claim from the snapshot, the start, and the replay of the WAL written since that snapshot
 * began. The newest ready snapshot began at most the schedule's longest gap plus the time a
 * snapshot takes to become ready before the failure.
 */
export function snapshotRestoreMinutes(snapshotSchedule: string): { total: number; walMinutes: number; replayMinutes: number } {
  const a = SNAPSHOT_RESTORE_ASSUMPTIONS;
  const walMinutes = Math.ceil(cronMaxGapSeconds(snapshotSchedule) / 60) + a.snapshotReadyMinutes;
  const replayMinutes = Math.ceil(walMinutes / a.walReplaySpeedup);
  return { total: a.volumeFromSnapshotMinutes + a.startMinutes + replayMinutes, walMinutes, replayMinutes };
}
