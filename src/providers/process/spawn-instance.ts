/**
 * Starts one instance as a child process that outlives the server: its own session and process
 * group (detached), output appended to a file rather than piped to the server, and unref'd so
 * the server can exit while it runs. No shell is ever involved: the image's argv runs as is.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { LaunchRequest } from '../../ports/provider.ts'
import { ProviderError } from '../../ports/provider.ts'
import {
  describeExit,
  OUTPUT_LOG_FILE,
  USER_DATA_FILE,
  writeExitRecordSync,
  writeLaunchRecordSync,
} from './instance-directory.ts'
import { INSTANCE_ID_VARIABLE, PROVIDER_ROOT_VARIABLE, parseProcessStat } from './proc-scan.ts'

/** The instance's environment: a little of the server's, the launch configuration's, then Billow's own. */
export function instanceEnvironment(
  request: LaunchRequest,
  rootDirectory: string,
  userDataPath: string | null,
): Record<string, string> {
  const inherited: Record<string, string> = {}
  // Only what finding programs and a home directory need; the server's secrets stay with the server.
  for (const name of ['PATH', 'HOME']) {
    const value = process.env[name]
    if (value !== undefined) inherited[name] = value
  }
  return {
    ...inherited,
    ...request.env,
    INSTANCE_ID: request.instanceId,
    HOST: request.privateIp,
    PORT: String(request.port),
    ZONE: request.zoneId,
    ...(userDataPath === null ? {} : { USER_DATA_FILE: userDataPath }),
    // Markers last, so a launch configuration cannot hide an instance from list().
    [INSTANCE_ID_VARIABLE]: request.instanceId,
    [PROVIDER_ROOT_VARIABLE]: rootDirectory,
  }
}

async function checkImage(request: LaunchRequest): Promise<void> {
  const { directory, command } = request.image
  if (command.length === 0 || command[0] === '') {
    throw new ProviderError(`image ${request.image.id} has an empty command`, 'permanent')
  }
  const found = await stat(directory).catch(() => null)
  if (found === null || !found.isDirectory()) {
    throw new ProviderError(`image ${request.image.id}: directory ${directory} does not exist`, 'permanent')
  }
  await checkAddressFree(request.privateIp, request.port)
}

/**
 * Loopback addresses are machine-wide: another program (or another Billow server given the same
 * subnet) may already listen where this instance must. Said plainly here, rather than left for
 * the application to die of EADDRINUSE with the reason buried in its log.
 */
function checkAddressFree(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return resolve() // the application will report anything else itself
      reject(
        new ProviderError(
          `${address}:${port} is already in use by another process on this machine (another server with the same subnet?)`,
          'permanent',
          { cause: error },
        ),
      )
    })
    probe.listen({ host: address, port, exclusive: true }, () => probe.close(() => resolve()))
  })
}

function readStartTicks(pid: number): number | null {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTicks ?? null
  } catch {
    return null // already gone: the exit handler will say how it ended
  }
}

/**
 * Spawns the instance and records its pid before anything else can run, so that a retry finds it.
 * Resolves with the pid; throws ProviderError('permanent') when the image cannot start at all.
 */
export async function spawnInstance(request: LaunchRequest, rootDirectory: string, directory: string): Promise<number> {
  await checkImage(request)
  await mkdir(directory, { recursive: true })
  let userDataPath: string | null = null
  if (request.userData !== null) {
    userDataPath = join(directory, USER_DATA_FILE)
    await writeFile(userDataPath, request.userData, { mode: 0o600 })
  }
  const [file, ...args] = request.image.command as [string, ...string[]]
  const output = openSync(join(directory, OUTPUT_LOG_FILE), 'a')
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(file, args, {
      cwd: request.image.directory,
      env: instanceEnvironment(request, rootDirectory, userDataPath),
      detached: true,
      stdio: ['ignore', output, output],
    })
  } finally {
    closeSync(output) // the child holds its own copy of the descriptor
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
  const pid = child.pid
  if (pid === undefined) {
    const error = await spawnError
    await rm(directory, { recursive: true, force: true })
    throw new ProviderError(`image ${request.image.id}: ${file} could not start: ${error.message}`, 'permanent', {
      cause: error,
    })
  }
  writeLaunchRecordSync(directory, {
    instanceId: request.instanceId,
    clientToken: request.clientToken,
    privateIp: request.privateIp,
    port: request.port,
    pid,
    startTicks: readStartTicks(pid),
  })
  child.on('exit', (code, signal) => {
    // Only while this server lives; a later server sees "exited while the server was not watching".
    if (!existsSync(directory)) return
    try {
      writeExitRecordSync(directory, describeExit(code, signal))
    } catch (error) {
      process.emitWarning(`could not record the exit of ${request.instanceId}: ${String(error)}`)
    }
  })
  child.unref()
  return pid
}
