/**
 * The data-plane process of one built-in load balancer (the "worker"), started by its supervisor
 * (proxy-supervisor.mjs) as `node --import tsx proxy-main.ts <state directory>`. It takes the
 * directory's lock, resumes state.json if there is one, then serves the control socket. It never
 * needs the Billow server: traffic flows while the server is down or restarting.
 *
 * Exit status 0 tells the supervisor to stop too (shutdown asked, or another proxy already runs
 * here); any other end (a crash, a signal) makes it start a new worker, which recovers.
 */
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { startControlServer } from './control-server.ts'
import { createDataPlane } from './data-plane.ts'
import { acquireProxyLock } from './proxy-lock.ts'
import { type PidRecord, pathsOf, writeRecordSync } from './state-directory.ts'

/** Time connections get to finish when the proxy shuts down, in milliseconds. */
const SHUTDOWN_GRACE_MS = 2_000

const log = (line: string): void => {
  console.log(`${new Date().toISOString()} [${process.pid}] ${line}`)
}

async function main(directoryArgument: string | undefined): Promise<void> {
  if (directoryArgument === undefined) {
    log('usage: proxy-main.ts <state directory>')
    process.exit(2)
  }
  const paths = pathsOf(resolve(directoryArgument))
  const lock = await acquireProxyLock(paths.directory)
  if (lock === null) {
    log('another proxy already runs on this state directory; leaving')
    process.exit(0)
  }
  const dataPlane = createDataPlane(paths, log)
  await dataPlane.recover()
  let stopping = false
  const shutdown = async (reason: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`shutting down: ${reason}`)
    await dataPlane.shutdown(SHUTDOWN_GRACE_MS)
    rmSync(paths.pidFile, { force: true })
    process.exit(0)
  }
  await startControlServer({
    socketPath: paths.controlSocket,
    dataPlane,
    onShutdown: () => void shutdown('asked over the control socket'),
    log,
  })
  const record: PidRecord = { supervisorPid: process.ppid, workerPid: process.pid, startedAtMs: Date.now() }
  writeRecordSync(paths.pidFile, record)
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  log(`serving ${paths.controlSocket}`)
}

main(process.argv[2]).catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
})
