/**
 * Metrics, alarms, alarm history and the decision log (schema version 5). Metric points are plain
 * rows; each insert also folds the point into its one-minute roll-up, so pruning raw points
 * never loses the longer history.
 */
import { sql } from 'kysely'
import type { Alarm, AlarmHistoryEntry } from '../../core/alarms/alarm.ts'
import type { ScalingDecision } from '../../core/alarms/decision.ts'
import type { AlarmId, ScalingGroupId } from '../../core/ids.ts'
import { dimensionsKey, type MetricPoint } from '../../core/metrics/metric.ts'
import type { Collections, MetricSeriesFilter } from '../../ports/store.ts'
import { DocumentTable, type Executor } from './document-table.ts'

const MINUTE_MS = 60_000
/** Rows per INSERT: SQLite binds at most 32,766 parameters, and each row binds 11. */
const INSERT_ROWS_MAX = 500

export function metricCollections(
  db: Executor,
): Pick<Collections, 'alarms' | 'alarmHistory' | 'decisions' | 'metrics'> {
  const alarms = new DocumentTable<Alarm, AlarmId>(db, 'alarms', (r) => ({ group_id: r.groupId }))
  const history = new DocumentTable<AlarmHistoryEntry & { id: string }, string>(db, 'alarm_history', (r) => ({
    alarm_id: r.alarmId,
    at_ms: r.atMs,
  }))
  const decisions = new DocumentTable<ScalingDecision, string>(db, 'scaling_decisions', (r) => ({
    group_id: r.groupId,
    at_ms: r.atMs,
  }))
  const where = (filter: MetricSeriesFilter) => {
    const clauses = [sql`name = ${filter.name}`, sql`namespace = ${filter.namespace}`]
    if (filter.groupId !== undefined) clauses.push(sql`group_id = ${filter.groupId}`)
    if (filter.instanceId !== undefined) clauses.push(sql`instance_id = ${filter.instanceId}`)
    if (filter.dimensionsKey !== undefined) clauses.push(sql`dimensions = ${filter.dimensionsKey}`)
    if (filter.countedOnly) clauses.push(sql`counted = 1`)
    return sql.join(clauses, sql` AND `)
  }
  return {
    alarms: Object.assign(alarms, {
      list: (filter: { groupId?: ScalingGroupId }) => alarms.where({ group_id: filter.groupId }),
    }),
    alarmHistory: {
      insert: (entry) => history.insert({ ...entry, id: `${entry.alarmId}@${entry.atMs}@${entry.periodEndMs}` }),
      list: async (filter) => {
        const rows = await sql<{ body: string }>`SELECT body FROM alarm_history WHERE alarm_id = ${filter.alarmId}
          ORDER BY at_ms DESC, seq DESC LIMIT ${filter.limit}`.execute(db)
        return rows.rows.map((row) => {
          const { id: _id, ...entry } = JSON.parse(row.body) as AlarmHistoryEntry & { id: string }
          return Object.freeze(entry)
        })
      },
      deleteForAlarm: async (alarmId) => {
        await sql`DELETE FROM alarm_history WHERE alarm_id = ${alarmId}`.execute(db)
      },
    },
    decisions: {
      insert: (decision) => decisions.insert(decision),
      list: async (filter) => {
        const rows = await sql<{ body: string }>`SELECT body FROM scaling_decisions WHERE group_id = ${filter.groupId}
          ORDER BY at_ms DESC, seq DESC LIMIT ${filter.limit}`.execute(db)
        return rows.rows.map((row) => Object.freeze(JSON.parse(row.body) as ScalingDecision))
      },
      deleteBefore: async (beforeMs) => {
        const result = await sql`DELETE FROM scaling_decisions WHERE at_ms < ${beforeMs}`.execute(db)
        return Number(result.numAffectedRows ?? 0n)
      },
    },
    metrics: {
      insert: async (points: readonly MetricPoint[]) => {
        for (let offset = 0; offset < points.length; offset += INSERT_ROWS_MAX) {
          const rows = points.slice(offset, offset + INSERT_ROWS_MAX).map((point) => ({
            namespace: point.namespace,
            name: point.name,
            group: point.groupId ?? '',
            instance: point.instanceId ?? '',
            dimensions: dimensionsKey(point.dimensions),
            atMs: point.atMs,
            minuteMs: Math.floor(point.atMs / MINUTE_MS) * MINUTE_MS,
            value: point.value,
            counted: point.counted ? 1 : 0,
          }))
          await sql`INSERT INTO metric_points (namespace, name, group_id, instance_id, dimensions, at_ms, value, counted)
            VALUES ${sql.join(
              rows.map(
                (row) =>
                  sql`(${row.namespace}, ${row.name}, ${row.group}, ${row.instance}, ${row.dimensions}, ${row.atMs}, ${row.value}, ${row.counted})`,
              ),
            )}`.execute(db)
          await sql`INSERT INTO metric_rollups (namespace, name, group_id, instance_id, dimensions, counted, minute_ms,
              sample_count, sum, minimum, maximum)
            VALUES ${sql.join(
              rows.map(
                (row) =>
                  sql`(${row.namespace}, ${row.name}, ${row.group}, ${row.instance}, ${row.dimensions}, ${row.counted}, ${row.minuteMs}, 1, ${row.value}, ${row.value}, ${row.value})`,
              ),
            )}
            ON CONFLICT (name, group_id, namespace, instance_id, dimensions, counted, minute_ms) DO UPDATE SET
              sample_count = sample_count + 1, sum = sum + excluded.sum,
              minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum)`.execute(db)
        }
      },
      rawValues: async (filter, fromMs, toMs) =>
        (
          await sql<{ atMs: number; value: number }>`SELECT at_ms AS atMs, value FROM metric_points
            WHERE ${where(filter)} AND at_ms >= ${fromMs} AND at_ms < ${toMs} ORDER BY at_ms`.execute(db)
        ).rows,
      rollUps: async (filter, fromMs, toMs) =>
        (
          await sql<{
            minuteMs: number
            sampleCount: number
            sum: number
            minimum: number
            maximum: number
          }>`SELECT minute_ms AS minuteMs, sample_count AS sampleCount, sum, minimum, maximum FROM metric_rollups
            WHERE ${where(filter)} AND minute_ms >= ${fromMs} AND minute_ms < ${toMs} ORDER BY minute_ms`.execute(db)
        ).rows,
      names: async (filter) =>
        (
          await sql<{ namespace: string; name: string }>`SELECT DISTINCT namespace, name FROM metric_rollups
            WHERE (${filter.groupId ?? null} IS NULL OR group_id = ${filter.groupId ?? null})
              AND (${filter.namespace ?? null} IS NULL OR namespace = ${filter.namespace ?? null})
            ORDER BY namespace, name`.execute(db)
        ).rows,
      prune: async (rawBeforeMs, rollUpsBeforeMs) => {
        const raw = await sql`DELETE FROM metric_points WHERE at_ms < ${rawBeforeMs}`.execute(db)
        await sql`DELETE FROM metric_rollups WHERE minute_ms < ${rollUpsBeforeMs}`.execute(db)
        return Number(raw.numAffectedRows ?? 0n)
      },
    },
  }
}
