// Random credentials (device keys, API tokens, enrollment secrets, session ids) and their stored hashes.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes make leaked credentials recognisable in logs and secret scanners. */
export const CREDENTIAL_PREFIX = { deviceKey: 'pld', apiToken: 'plt', enrollSecret: 'ple', session: 'pls' } as const;

/** 256 random bits, base64url, with a type prefix: `plt_…`. */
export function generateCredential(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Credentials are random 256-bit values, so a fast hash is enough (no dictionary to guess from);
 * only the hash is stored, so a database leak yields nothing usable.
 */
export function hashCredential(credential: string): string {
  return hash('sha256', credential, 'hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A readable one-time password: 4 groups of 5 characters from an unambiguous alphabet (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && i % 5 === 0) out += '-';
    out += alphabet[bytes[i]! % alphabet.length];
  }
  return out;
}
