// Edge validation: parse request input with a protocol schema or fail with a 400 envelope listing the problems.
import type { z } from 'zod';
import type { ErrorCode } from '../../protocol/errors';
import { AppError } from '../errors';

export interface Issue {
  path: string;
  message: string;
}

export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.slice(0, 50).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request', code: ErrorCode = 'invalid_request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError(400, code, `The ${what} is not valid.`, zodIssues(result.error));
  return result.data;
}

/** A positive integer route parameter such as `:id`, else 404 (an id that cannot exist). */
export function idParam(value: string | string[] | undefined, what: string): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text || !/^\d{1,15}$/.test(text)) throw new AppError(404, 'not_found', `No ${what} with id ${String(text)}.`);
  return Number(text);
}
