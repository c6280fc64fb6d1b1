// Supervisor of one built-in load balancer's data plane: the process the driver starts, detached
// (own session, output to proxy.log). It runs the worker (proxy-main.ts through tsx) and starts
// it again whenever it ends other than cleanly, so a crashed proxy comes back from state.json
// with no Billow server running. Plain JavaScript and no imports beyond node:, so that nothing it
// loads can fail: it must outlive every worker.
//
//   node proxy-supervisor.mjs <state directory> <tsx loader URL> <worker path>
//
//   starting ──▶ worker running ──exit 0──▶ supervisor exits (shutdown, or another proxy owns the directory)
//                     │  ▲
//      crash / signal ▼  │ after a backoff (100 ms doubling to 5 s; reset once a worker ran 30 s)
//                  waiting
import { spawn } from 'node:child_process'

/** First wait before starting a crashed worker again, in milliseconds. */
const RESTART_DELAY_MS_MIN = 100
/** Longest wait between restarts, in milliseconds: a worker that keeps failing costs little. */
const RESTART_DELAY_MS_MAX = 5_000
/** A worker that ran this long, in milliseconds, was healthy: the backoff starts over. */
const STABLE_RUN_MS = 30_000

const [directory, loaderUrl, workerPath] = process.argv.slice(2)
if (directory === undefined || loaderUrl === undefined || workerPath === undefined) {
  console.error('usage: proxy-supervisor.mjs <state directory> <tsx loader URL> <worker path>')
  process.exit(2)
}

const log = (line) => console.log(`${new Date().toISOString()} [${process.pid} supervisor] ${line}`)

let worker = null
let stopping = false
let delayMs = RESTART_DELAY_MS_MIN

function startWorker() {
  const startedMs = Date.now()
  worker = spawn(process.execPath, ['--import', loaderUrl, workerPath, directory], { stdio: 'inherit' })
  worker.once('error', (error) => log(`worker could not start: ${error.message}`))
  worker.once('exit', (code, signal) => {
    worker = null
    if (stopping || code === 0) process.exit(0)
    if (Date.now() - startedMs >= STABLE_RUN_MS) delayMs = RESTART_DELAY_MS_MIN
    log(`worker ended (${signal ?? `exit code ${code}`}); starting another in ${delayMs} ms`)
    setTimeout(startWorker, delayMs)
    delayMs = Math.min(RESTART_DELAY_MS_MAX, delayMs * 2)
  })
}

function stop(signal) {
  stopping = true
  if (worker === null) process.exit(0)
  worker.kill(signal)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGHUP', () => undefined) // no terminal to hang up on; a stray SIGHUP must not end the data plane

startWorker()
