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

/**
 * A one-time token the agent makes up (≥ 32 random URL-safe characters) and sends with its enrollment.
 * When the enrollment has to wait for an admin, only whoever holds the token can collect the key.
 */
export const pickupTokenSchema = z
  .string()
  .min(32)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'a pickup token holds letters, digits, _ and - only');

export const enrollRequestSchema = z.object({
  secret: z.string().min(1).max(200),
  deviceId: z.string().min(1).max(200),
  /** The same NetBIOS/DNS rule as a report's `device.hostname`. */
  hostname: hostnameSchema,
  /** Used only when the device id is already enrolled (202 below); the server makes one when absent. */
  pickupToken: pickupTokenSchema.optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

/** `201` from `POST /agents/enroll` for a device id the server has never seen. */
export const enrollResponseSchema = z.object({ deviceKey: z.string() });
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/**
 * `202` from `POST /agents/enroll` for a device id that is already enrolled: its key stays as it is
 * and the request waits for an admin. Poll `POST /agents/enroll/poll` with the pickup token.
 */
export const enrollmentPendingSchema = z.object({
  status: z.literal('pending'),
  requestId: z.number().int(),
  expiresAt: isoTime,
  /** Seconds to wait before the next poll (also sent as Retry-After). */
  retryAfterSeconds: z.number().int(),
  /** Only when the request carried no pickup token: the one the server made, shown only here. */
  pickupToken: z.string().optional(),
});
export type EnrollmentPending = z.infer<typeof enrollmentPendingSchema>;

export const enrollmentPollRequestSchema = z.object({ pickupToken: pickupTokenSchema });
export type EnrollmentPollRequest = z.infer<typeof enrollmentPollRequestSchema>;

/**
 * `POST /agents/enroll/poll`: `pending` (poll again after `retryAfterSeconds`); `approved` with the new
 * device key, handed out once; `rejected` by an admin; `expired` undecided or uncollected in time;
 * `collected` when the key was already handed out.
 */
export const enrollmentPollResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), requestId: z.number().int(), expiresAt: isoTime, retryAfterSeconds: z.number().int() }),
  z.object({ status: z.literal('approved'), requestId: z.number().int(), deviceKey: z.string() }),
  z.object({ status: z.enum(['rejected', 'expired', 'collected']), requestId: z.number().int() }),
]);
export type EnrollmentPollResponse = z.infer<typeof enrollmentPollResponseSchema>;

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
export const enrollmentRequestStatusSchema = z.enum(['pending', 'approved', 'rejected', 'collected']);

/** A re-enrollment request of an already enrolled device id. */
export const enrollmentRequestSchema = z.object({
  id: z.number().int(),
  deviceId: z.string(),
  /** The host name the request claims. */
  hostname: z.string(),
  status: enrollmentRequestStatusSchema,
  requestedAt: isoTime,
  expiresAt: isoTime,
  /** Address the request came from. */
  ip: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  decidedBy: z.string().nullable(),
});
export type EnrollmentRequestDto = z.infer<typeof enrollmentRequestSchema>;

/** `GET /admin/enrollment-requests`: an open request with what the server knows of the device, to compare. */
export const openEnrollmentRequestSchema = enrollmentRequestSchema.extend({
  secretName: z.string().nullable(),
  /** Host name of the device's newest key (or its stored state). */
  knownHostname: z.string().nullable(),
  /** When the device last reported. */
  lastSeenAt: isoTime.nullable(),
});
export type OpenEnrollmentRequestDto = z.infer<typeof openEnrollmentRequestSchema>;

/** `POST /admin/enrollment-requests/:id/approve`: the device's keys were revoked, its other open requests rejected. */
export const approvedEnrollmentSchema = z.object({
  request: enrollmentRequestSchema,
  revokedKeys: z.number().int(),
  rejectedRequests: z.array(z.number().int()),
});
export const rejectedEnrollmentSchema = z.object({ request: enrollmentRequestSchema });

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
