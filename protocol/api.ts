// Platform API request/response schemas (auth, enrollment, ingest, admin) shared by server, dashboard and scripts.
import * as z from 'zod';
import { hostnameSchema } from './report';

export const API_PREFIX = '/api/v1';

export const roleSchema = z.enum(['admin', 'viewer']);
export type Role = z.infer<typeof roleSchema>;

/** Every time in API responses is ISO 8601 UTC text. */
const isoTime = z.string();

export const usernameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'usernames may hold letters, digits and . _ @ -');
/** Passphrases: long rather than complex; the upper bound keeps hashing cost bounded. */
export const passwordSchema = z.string().min(12, 'passwords need at least 12 characters').max(256);

// --- sessions -----------------------------------------------------------------------------------

export const loginRequestSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const sessionUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: roleSchema,
  mustChangePassword: z.boolean(),
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** `POST /auth/login` and `GET /auth/me`: who is signed in and the CSRF token for unsafe requests. */
export const sessionResponseSchema = z.object({ user: sessionUserSchema, csrfToken: z.string() });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const changePasswordRequestSchema = z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema });
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** Header carrying the CSRF token on POST/PUT/PATCH/DELETE made with a session cookie. */
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'patchlens_session';

// --- agents -------------------------------------------------------------------------------------

export const enrollRequestSchema = z.object({
  secret: z.string().min(1).max(200),
  deviceId: z.string().min(1).max(200),
  /** The same NetBIOS/DNS rule as a report's `device.hostname`. */
  hostname: hostnameSchema,
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({ deviceKey: z.string() });
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/**
 * `POST /reports`: 202 for a new report, 200 with `duplicate: true` for a repeated reportId.
 * `outcome`: `applied` (state changed), `unchanged` (same content as stored), `superseded` (older than
 * the stored state by sequence or generatedAt, kept in history but not applied).
 */
export const reportAcceptedSchema = z.object({
  reportId: z.string(),
  duplicate: z.boolean(),
  outcome: z.enum(['applied', 'unchanged', 'superseded']).optional(),
});
export type ReportAccepted = z.infer<typeof reportAcceptedSchema>;

/** `GET /devices/:id/reports`: one accepted report of a device's history. */
export const reportSummarySchema = z.object({
  reportId: z.string(),
  deviceId: z.string(),
  sequence: z.number().int().nullable(),
  generatedAt: z.string(),
  receivedAt: isoTime,
  outcome: z.enum(['applied', 'unchanged', 'superseded']),
  changedSections: z.array(z.string()),
  /** True while the raw report can be fetched from `GET /reports/:reportId`. */
  hasBody: z.boolean(),
});
export type ReportSummaryDto = z.infer<typeof reportSummarySchema>;

// --- admin --------------------------------------------------------------------------------------

export const createEnrollmentSecretRequestSchema = z.object({
  name: z.string().trim().min(1).max(100).default('enrollment secret'),
  /** Days until the secret stops working; absent = no expiry. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const enrollmentSecretSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: isoTime,
  createdBy: z.string(),
  expiresAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
  uses: z.number().int(),
  lastUsedAt: isoTime.nullable(),
});
export type EnrollmentSecret = z.infer<typeof enrollmentSecretSchema>;
/** The secret itself is shown once, at creation. */
export const createdEnrollmentSecretSchema = z.object({ secret: z.string(), enrollmentSecret: enrollmentSecretSchema });

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: roleSchema,
  mustChangePassword: z.boolean(),
  createdAt: isoTime,
  disabled: z.boolean(),
  lastLoginAt: isoTime.nullable(),
});
export type User = z.infer<typeof userSchema>;
export const createUserRequestSchema = z.object({
  username: usernameSchema,
  role: roleSchema,
  /** Absent: the server generates a one-time password, returned once, to be changed at first login. */
  password: passwordSchema.optional(),
});
export const updateUserRequestSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, 'give role and/or disabled');
/** A generated one-time password is returned once; the user must change it at next login. */
export const userWithPasswordSchema = z.object({ user: userSchema, oneTimePassword: z.string().optional() });

export const createApiTokenRequestSchema = z.object({ name: z.string().trim().min(1).max(100), role: roleSchema });
export const apiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: roleSchema,
  createdAt: isoTime,
  createdBy: z.string(),
  revokedAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;
/** The token itself is shown once, at creation. */
export const createdApiTokenSchema = z.object({ token: z.string(), apiToken: apiTokenSchema });

export const deviceKeySchema = z.object({
  id: z.number().int(),
  deviceId: z.string(),
  hostname: z.string(),
  createdAt: isoTime,
  revokedAt: isoTime.nullable(),
});
export const revokeDeviceKeysResponseSchema = z.object({ deviceId: z.string(), revoked: z.number().int() });

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoTime,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
  ip: z.string().nullable(),
});
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;
export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.coerce.number().int().min(1).optional(),
  action: z.string().max(100).optional(),
});
export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

/** A list response: `{ items }` (admin lists are small and unpaged). */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const healthSchema = z.object({ ok: z.boolean(), queue: z.number().int(), version: z.string() });
