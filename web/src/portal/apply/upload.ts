import { ApiProblem, type ProblemDocument } from '../../api/client.ts';
import type { Locale } from '../../i18n/index.tsx';

/**
 * Uploads a file as a raw request body, as the server's upload routes take it (the file's
 * type as Content-Type, its name in Content-Disposition), with XMLHttpRequest because
 * fetch reports no upload progress. The CSRF token and language go along as the API
 * client sends them; a refusal is thrown as the same ApiProblem.
 */
export function uploadFile<T>(
  method: 'PUT' | 'POST',
  url: string,
  file: File,
  options: { locale: Locale; onProgress?(percent: number): void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    request.setRequestHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    );
    request.setRequestHeader('Accept-Language', options.locale);
    const csrf = /(?:^|;\s*)tb_csrf=([^;]+)/.exec(document.cookie)?.[1];
    if (csrf) request.setRequestHeader('X-CSRF-Token', decodeURIComponent(csrf));
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => {
      const requestId = request.getResponseHeader('x-request-id') ?? undefined;
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300) {
        options.onProgress?.(100);
        resolve(body as T);
      } else if (body && typeof body === 'object' && 'title' in body) {
        reject(new ApiProblem(body as ProblemDocument, requestId));
      } else {
        reject(
          new ApiProblem(
            { status: request.status, title: '服务暂时不可用', titleEn: 'The service is unavailable' },
            requestId,
          ),
        );
      }
    };
    request.onerror = () =>
      reject(
        new ApiProblem(
          {
            status: 0,
            title: '网络连接失败，请检查网络后重试',
            titleEn: 'Network error: check the connection and retry',
          },
          undefined,
        ),
      );
    request.send(file);
  });
}
