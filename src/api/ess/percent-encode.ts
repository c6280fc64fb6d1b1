/**
 * RFC 3986 encoding as the Alibaba Cloud signatures use it: only A–Z a–z 0–9 - _ . ~ stay,
 * space is %20 (never +), and UTF-8 bytes are upper-case %XX.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}
