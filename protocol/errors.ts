// The API error envelope and its stable codes, shared by server and clients.
import * as z from 'zod';

export const ERROR_CODES = [
  'invalid_request',
  'invalid_report',
  'invalid_json',
  'unsupported_schema_version',
  'unauthenticated',
  'forbidden',
  'invalid_secret',
  'invalid_device_key',
  'device_mismatch',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'overloaded',
  'storage_full',
  'csrf_failed',
  /** A webhook URL that the fleet settings do not allow (plain http, or an internal address). */
  'webhook_target_refused',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
