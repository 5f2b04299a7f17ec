import { text } from './i18n.ts';

/**
 * The closed set of errors the API returns, each with a stable `code`, an HTTP
 * status and a Chinese title (English alongside). They are rendered as
 * application/problem+json (RFC 9457) by the one error handler in kernel/http.ts.
 */

/** One rule broken by one input field, explained in Chinese and English. */
export interface FieldError {
  /** Where: a JSON pointer-ish path such as `q`, `body.materials[2].name`, or `row 14 / column credit_code`. */
  field: string;
  /** The rule, stable and machine-readable: `required`, `maxLength`, `checkDigit`, `format` ... */
  rule: string;
  message: string;
  messageEn: string;
}

export const PROBLEMS = {
  validation_failed: { status: 400, title: '请求参数不正确', titleEn: 'The request has invalid fields' },
  bad_request: { status: 400, title: '请求无法处理', titleEn: 'The request cannot be processed' },
  unauthorized: { status: 401, title: '请先登录', titleEn: 'Authentication is required' },
  forbidden: { status: 403, title: '没有权限执行此操作', titleEn: 'You may not do this' },
  not_found: { status: 404, title: '未找到所请求的资源', titleEn: 'The resource was not found' },
  method_not_allowed: { status: 405, title: '不支持该请求方法', titleEn: 'Method not allowed' },
  conflict: { status: 409, title: '与当前状态冲突', titleEn: 'The request conflicts with the current state' },
  payload_too_large: { status: 413, title: '请求内容过大', titleEn: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: '不支持的内容类型', titleEn: 'Unsupported content type' },
  unprocessable: { status: 422, title: '内容无法处理', titleEn: 'The content cannot be processed' },
  too_many_requests: { status: 429, title: '请求过于频繁', titleEn: 'Too many requests' },
  internal: { status: 500, title: '服务器内部错误', titleEn: 'Internal server error' },
  unavailable: { status: 503, title: '服务暂时不可用', titleEn: 'Service temporarily unavailable' },
  // Hall appointments (预约): conflicts a person can act on, each with its own type.
  slot_full: { status: 409, title: '该时段已约满', titleEn: 'This time slot is fully booked' },
  already_booked: {
    status: 409,
    title: '您当天在该办理点已有预约',
    titleEn: 'You already have a booking at this place on that day',
  },
  booking_banned: {
    status: 403,
    title: '因多次预约未到，暂停预约',
    titleEn: 'Booking is suspended after repeated no-shows',
  },
} as const satisfies Record<string, { status: number; title: string; titleEn: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    /** English detail for this occurrence; shown to the client. */
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Extra members of the problem document (e.g. `currentStatus`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? PROBLEMS[code].titleEn);
    this.name = 'AppError';
    this.status = PROBLEMS[code].status;
  }
}

export const validationError = (errors: FieldError[], detail?: string) =>
  new AppError(
    'validation_failed',
    detail ?? errors.map((e) => `${e.field}: ${e.messageEn}`).join('; '),
    errors,
  );
export const notFound = (detail: string) => new AppError('not_found', detail);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new AppError('conflict', detail, undefined, extra);
export const forbidden = (detail?: string) => new AppError('forbidden', detail);
export const unauthorized = (detail?: string) => new AppError('unauthorized', detail);

/** A field error whose texts are the i18n message `key` with its `{placeholders}` filled in. */
export function textFieldError(
  field: string,
  rule: string,
  key: string,
  params: Record<string, string | number> = {},
): FieldError {
  const message = text(key, params);
  return { field, rule, message: message.zh, messageEn: message.en };
}

/** Builds one field error from texts at hand. */
export function fieldError(field: string, rule: string, message: string, messageEn: string): FieldError {
  return { field, rule, message, messageEn };
}

export interface ProblemDocument {
  type: string;
  code: ProblemCode;
  status: number;
  title: string;
  titleEn: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export function toProblem(error: AppError, instance?: string, requestId?: string): ProblemDocument {
  const meta = PROBLEMS[error.code];
  return {
    ...error.extra,
    type: `https://tongban.dev/problems/${error.code.replaceAll('_', '-')}`,
    code: error.code,
    status: meta.status,
    title: meta.title,
    titleEn: meta.titleEn,
    ...(error.detail !== undefined && { detail: error.detail }),
    ...(instance !== undefined && { instance }),
    ...(requestId !== undefined && { requestId }),
    ...(error.errors !== undefined && { errors: error.errors }),
  };
}
