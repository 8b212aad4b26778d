// Storage records → the API shapes in protocol/api.ts (ISO times, no hashes).
import type { ApiToken, AuditEntryDto, EnrollmentRequestDto, EnrollmentSecret, OpenEnrollmentRequestDto, SessionUser, User } from '../../protocol/api';
import { iso, isoOrNull } from '../../protocol/units';
import type { ApiTokenInfo, AuditEntry, DeviceKeyInfo, EnrollmentRequestInfo, EnrollmentSecretInfo, OpenEnrollmentRequest, UserRecord } from '../storage/repository';

export const userDto = (u: UserRecord): User => ({
  id: u.id,
  username: u.username,
  role: u.role,
  mustChangePassword: u.mustChangePassword,
  createdAt: iso(u.createdAt),
  disabled: u.disabledAt !== null,
  lastLoginAt: isoOrNull(u.lastLoginAt),
});

export const sessionUserDto = (u: UserRecord): SessionUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
  mustChangePassword: u.mustChangePassword,
});

export const enrollmentSecretDto = (s: EnrollmentSecretInfo): EnrollmentSecret => ({
  id: s.id,
  name: s.name,
  createdAt: iso(s.createdAt),
  createdBy: s.createdBy,
  expiresAt: isoOrNull(s.expiresAt),
  revokedAt: isoOrNull(s.revokedAt),
  uses: s.uses,
  lastUsedAt: isoOrNull(s.lastUsedAt),
});

export const apiTokenDto = (t: ApiTokenInfo): ApiToken => ({
  id: t.id,
  name: t.name,
  role: t.role,
  createdAt: iso(t.createdAt),
  createdBy: t.createdBy,
  revokedAt: isoOrNull(t.revokedAt),
  lastUsedAt: isoOrNull(t.lastUsedAt),
});

export const deviceKeyDto = (k: DeviceKeyInfo) => ({
  id: k.id,
  deviceId: k.deviceId,
  hostname: k.hostname,
  createdAt: iso(k.createdAt),
  revokedAt: isoOrNull(k.revokedAt),
});

export const enrollmentRequestDto = (r: EnrollmentRequestInfo): EnrollmentRequestDto => ({
  id: r.id,
  deviceId: r.deviceId,
  hostname: r.hostname,
  status: r.status,
  requestedAt: iso(r.requestedAt),
  expiresAt: iso(r.expiresAt),
  ip: r.ip,
  decidedAt: isoOrNull(r.decidedAt),
  decidedBy: r.decidedBy,
});

export const openEnrollmentRequestDto = (r: OpenEnrollmentRequest): OpenEnrollmentRequestDto => ({
  ...enrollmentRequestDto(r),
  secretName: r.secretName,
  knownHostname: r.knownHostname,
  lastSeenAt: isoOrNull(r.lastSeenAt),
});

export const auditDto = (a: AuditEntry): AuditEntryDto => ({ ...a, at: iso(a.at) });
