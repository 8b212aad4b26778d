// Typed calls of every route the dashboard uses, each answer parsed with its protocol schema.
import * as z from 'zod';
import {
  apiTokenSchema,
  approvedEnrollmentSchema,
  auditPageSchema,
  createdApiTokenSchema,
  createdEnrollmentSecretSchema,
  enrollmentSecretSchema,
  listOf,
  openEnrollmentRequestSchema,
  rejectedEnrollmentSchema,
  sessionResponseSchema,
  userSchema,
  userWithPasswordSchema,
  type Role,
} from '../../protocol/api';
import { analyzeResultSchema, clusterDetailSchema, deviceDetailSchema } from '../../protocol/device-detail';
import {
  alertListSchema,
  baselineComplianceSchema,
  baselineSchema,
  clusterListSchema,
  deviceListSchema,
  errorListSchema,
  fleetSettingsSchema,
  fleetSummarySchema,
  kbListSchema,
  trendListSchema,
  webhookSchema,
  type BaselineInput,
  type FleetSettings,
  type WebhookInput,
} from '../../protocol/fleet-api';
import type { ApiClient, Query, UploadProgress } from './client';

const nothing = z.unknown();

export function fleetApi(api: ApiClient) {
  return {
    // session
    me: () => api.get('/auth/me', sessionResponseSchema),
    login: (username: string, password: string) => api.send('POST', '/auth/login', sessionResponseSchema, { username, password }),
    logout: () => api.send('POST', '/auth/logout', nothing),
    changePassword: (currentPassword: string, newPassword: string) => api.send('POST', '/auth/password', sessionResponseSchema, { currentPassword, newPassword }),

    /** Runs a page's loader as a refresh caused by a live delta (see ApiClient.liveRefresh). */
    liveRefresh: <T>(load: () => Promise<T>) => api.liveRefresh(load),

    // fleet
    summary: () => api.get('/fleet/summary', fleetSummarySchema),
    trends: (days = 90) => api.get('/trends', trendListSchema, { days }),
    kbs: () => api.get('/kbs', kbListSchema),
    errors: () => api.get('/errors', errorListSchema),
    clusters: () => api.get('/corruption/clusters', clusterListSchema),
    cluster: (family: string, cursor?: string) => api.get(`/corruption/clusters/${encodeURIComponent(family)}`, clusterDetailSchema, { limit: 50, cursor }),
    alerts: (limit = 10) => api.get('/alerts', alertListSchema, { limit }),
    devices: (query: Query) => api.get('/devices', deviceListSchema, query),
    devicesCsvUrl: (query: Query) => api.url('/export/devices.csv', { ...query, cursor: undefined, limit: undefined }),
    device: (id: string) => api.get(`/devices/${encodeURIComponent(id)}`, deviceDetailSchema),
    analyze: (file: Blob, name: string, deviceId: string | null, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal) =>
      api.upload('/analyze', file, analyzeResultSchema, { name, deviceId }, onProgress, signal),

    // baselines
    baselines: () => api.get('/baselines', listOf(baselineComplianceSchema)),
    createBaseline: (input: BaselineInput) => api.send('POST', '/baselines', z.object({ baseline: baselineSchema }), input),
    updateBaseline: (id: number, input: BaselineInput) => api.send('PUT', `/baselines/${id}`, z.object({ baseline: baselineSchema }), input),
    deleteBaseline: (id: number) => api.send('DELETE', `/baselines/${id}`, nothing),

    // admin
    settings: () => api.get('/settings/fleet', z.object({ settings: fleetSettingsSchema })),
    updateSettings: (patch: Partial<FleetSettings>) => api.send('PATCH', '/settings/fleet', z.object({ settings: fleetSettingsSchema }), patch),
    secrets: () => api.get('/admin/enrollment-secrets', listOf(enrollmentSecretSchema)),
    createSecret: (name: string, expiresInDays?: number) => api.send('POST', '/admin/enrollment-secrets', createdEnrollmentSecretSchema, { name, expiresInDays }),
    revokeSecret: (id: number) => api.send('DELETE', `/admin/enrollment-secrets/${id}`, nothing),
    enrollmentRequests: () => api.get('/admin/enrollment-requests', listOf(openEnrollmentRequestSchema)),
    approveEnrollment: (id: number) => api.send('POST', `/admin/enrollment-requests/${id}/approve`, approvedEnrollmentSchema),
    rejectEnrollment: (id: number) => api.send('POST', `/admin/enrollment-requests/${id}/reject`, rejectedEnrollmentSchema),
    users: () => api.get('/admin/users', listOf(userSchema)),
    createUser: (username: string, role: Role) => api.send('POST', '/admin/users', userWithPasswordSchema, { username, role }),
    updateUser: (id: number, change: { role?: Role; disabled?: boolean }) => api.send('PATCH', `/admin/users/${id}`, z.object({ user: userSchema }), change),
    resetPassword: (id: number) => api.send('POST', `/admin/users/${id}/reset-password`, userWithPasswordSchema),
    tokens: () => api.get('/admin/tokens', listOf(apiTokenSchema)),
    createToken: (name: string, role: Role) => api.send('POST', '/admin/tokens', createdApiTokenSchema, { name, role }),
    revokeToken: (id: number) => api.send('DELETE', `/admin/tokens/${id}`, nothing),
    webhooks: () => api.get('/webhooks', listOf(webhookSchema)),
    createWebhook: (input: Partial<WebhookInput> & { url: string }) => api.send('POST', '/webhooks', z.object({ webhook: webhookSchema, secret: z.string() }), input),
    updateWebhook: (id: number, change: Partial<WebhookInput>) => api.send('PATCH', `/webhooks/${id}`, z.object({ webhook: webhookSchema }), change),
    deleteWebhook: (id: number) => api.send('DELETE', `/webhooks/${id}`, nothing),
    audit: (cursor?: string) => api.get('/admin/audit', auditPageSchema, { limit: 50, cursor }),
  };
}

export type FleetApi = ReturnType<typeof fleetApi>;
