/**
 * ESS RPC parameters are flat strings with dotted names: `InstanceId.1`, `Tag.2.Key`,
 * `SystemDisk.Category`. This turns them into nested values the action schemas check:
 * numeric segments (1-based) make arrays, other segments objects. Limits keep a hostile request
 * from making large or deep structures: `InstanceId.99999` is refused, not allocated.
 */
import { BillowError } from '../../core/errors.ts'

/** The largest 1-based index a list parameter takes; ESS lists stop at 20 to 100. */
export const LIST_INDEX_MAX = 100
const DEPTH_MAX = 4
const NAME_SEGMENT = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
const INDEX_SEGMENT = /^[1-9][0-9]{0,2}$/

type Node = string | Map<string, Node>

/**
 * pop-core sends an undefined value as the literal string "undefined"; scripts that leave an
 * optional parameter undefined mean "not given", so it is read that way.
 */
const UNDEFINED_LITERAL = 'undefined'

export function unflattenParams(params: ReadonlyMap<string, string>): Record<string, unknown> {
  const root = new Map<string, Node>()
  for (const [name, value] of params) {
    if (value === UNDEFINED_LITERAL) continue
    const segments = name.split('.')
    if (segments.length > DEPTH_MAX || !NAME_SEGMENT.test(segments[0] ?? '')) unknown(name)
    let node = root
    for (const [index, segment] of segments.entries()) {
      if (index > 0 && !NAME_SEGMENT.test(segment)) {
        if (!INDEX_SEGMENT.test(segment)) unknown(name)
        if (Number(segment) > LIST_INDEX_MAX) {
          throw new BillowError('InvalidParameterValue', `${name}: lists take at most ${LIST_INDEX_MAX} items`, {
            field: name,
          })
        }
      }
      const last = index === segments.length - 1
      const existing = node.get(segment)
      if (last) {
        if (existing !== undefined) conflict(name)
        node.set(segment, value)
      } else {
        if (typeof existing === 'string') conflict(name)
        const next = existing ?? new Map<string, Node>()
        node.set(segment, next)
        node = next
      }
    }
  }
  return toValue(root) as Record<string, unknown>
}

function toValue(node: Node): unknown {
  if (typeof node === 'string') return node
  const keys = [...node.keys()]
  if (keys.length > 0 && keys.every((key) => INDEX_SEGMENT.test(key))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((key) => toValue(node.get(key) as Node))
  }
  if (keys.some((key) => INDEX_SEGMENT.test(key))) {
    throw new BillowError('InvalidParameterValue', `${keys.join(', ')}: mixes list items and fields`)
  }
  return Object.fromEntries(keys.map((key) => [key, toValue(node.get(key) as Node)]))
}

function unknown(name: string): never {
  throw new BillowError('UnknownParameter', `${name}: is not a parameter of this action`, { field: name })
}

function conflict(name: string): never {
  throw new BillowError('InvalidParameterValue', `${name}: given both as a value and as a list or structure`, {
    field: name,
  })
}

/** ESS spells a path 1-based: ['InstanceId', 0] is InstanceId.1. */
export const essFieldName = (path: readonly PropertyKey[]): string =>
  path.map((segment) => (typeof segment === 'number' ? String(segment + 1) : String(segment))).join('.')
