/**
 * Seals access key secrets for the store: AES-256-GCM under the installation's key (a file of
 * the data directory, see secrets/key-file.ts). The record's id is authenticated with the
 * ciphertext, so a sealed secret copied onto another record does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** AES-256: a 32-byte key. */
export const SECRET_BOX_KEY_BYTES = 32
/** GCM's recommended nonce size; a fresh random one per seal. */
const NONCE_BYTES = 12
const TAG_BYTES = 16
const ALGORITHM = 'aes-256-gcm'

export interface SecretBox {
  /** base64 of nonce ‖ ciphertext ‖ tag. */
  seal(plaintext: string, boundTo: string): string
  /** Throws when the key is not the one that sealed it or the text was altered. */
  open(sealed: string, boundTo: string): string
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== SECRET_BOX_KEY_BYTES) throw new Error(`a secret box key is ${SECRET_BOX_KEY_BYTES} bytes`)
  return {
    seal(plaintext, boundTo) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES })
      cipher.setAAD(Buffer.from(boundTo, 'utf8'))
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64')
    },
    open(sealed, boundTo) {
      const bytes = Buffer.from(sealed, 'base64')
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed secret is truncated')
      const nonce = bytes.subarray(0, NONCE_BYTES)
      const tag = bytes.subarray(bytes.length - TAG_BYTES)
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES })
      decipher.setAAD(Buffer.from(boundTo, 'utf8'))
      decipher.setAuthTag(tag)
      const ciphertext = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
    },
  }
}
