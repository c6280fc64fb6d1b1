/** Small checks shared by the services; each failure names the field it is about. */
import { BillowError, type BillowErrorCode } from '../core/errors.ts'

export function invalid(field: string, message: string, code: BillowErrorCode = 'InvalidParameterValue'): never {
  throw new BillowError(code, `${field}: ${message}`, { field })
}

export function requireName(field: string, value: string): void {
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u.test(value)) {
    invalid(
      field,
      'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit',
    )
  }
}

export function requireIntegerIn(field: string, value: number, minimum: number, maximum: number): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    invalid(field, `must be an integer from ${minimum} to ${maximum}, got ${value}`)
  }
}

export function notFound(code: BillowErrorCode, kind: string, id: string, field?: string): never {
  throw new BillowError(code, `${kind} ${id} does not exist`, field === undefined ? {} : { field })
}
