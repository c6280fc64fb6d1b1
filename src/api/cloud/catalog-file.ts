/**
 * The operator's cloud catalog: `<data>/cloud-catalog.json`, optional, read at start. It says
 * what the cloud names in existing scripts mean on this installation (docs/cloud-catalog.md):
 *
 *   {
 *     "instanceTypes": [{ "name": "ecs.ebmg6.26xlarge", "vcpu": 104, "memoryMiB": 393216 }],
 *     "images": { "centos_7_9_x64_20G_alibase_20230919.vhd": "web-app" },
 *     "defaultImage": "web-app",
 *     "subnets": { "vsw-bp1abc": { "zoneId": "cn-hangzhou-h", "cidr": "127.66.1.0/24" } },
 *     "subnetPool": "127.200.0.0/13"
 *   }
 *
 * A file that does not parse stops the server at start with the field it is about, rather than
 * leaving scripts to fail one by one later.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'

/** The catalog is read whole at start; a limit keeps a wrong path (a log file) from being slurped. */
export const CATALOG_FILE_BYTES_MAX = 1024 * 1024

const cloudId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/)
const imageReference = z.string().min(1).max(128)

export const cloudCatalogFileSchema = z.strictObject({
  instanceTypes: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
        vcpu: z.number().positive().max(1024),
        memoryMiB: z
          .number()
          .int()
          .positive()
          .max(64 * 1024 * 1024),
      }),
    )
    .max(1000)
    .default([]),
  images: z.record(cloudId, imageReference).default({}),
  defaultImage: imageReference.nullable().default(null),
  subnets: z
    .record(cloudId, z.strictObject({ zoneId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/), cidr: z.string() }))
    .default({}),
  subnetPool: z.string().default('127.200.0.0/13'),
})

export type CloudCatalogFile = z.output<typeof cloudCatalogFileSchema>

export const EMPTY_CLOUD_CATALOG: CloudCatalogFile = cloudCatalogFileSchema.parse({})

export function readCloudCatalogFile(path: string): CloudCatalogFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_CLOUD_CATALOG
    throw error
  }
  if (Buffer.byteLength(text) > CATALOG_FILE_BYTES_MAX) {
    throw new Error(`${path}: larger than ${CATALOG_FILE_BYTES_MAX} bytes`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`, { cause: error })
  }
  const parsed = cloudCatalogFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${path}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}
