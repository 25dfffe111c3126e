// SPDX-License-Identifier: MIT
// The REST API /api/v1 from the console: JSON calls, CSV imports and file uploads with
// progress. The session is the HttpOnly cookie set at login; the page never sees it.
import { API, ApiError } from '../../common/api.js';

export { API, ApiError };

let unauthorizedHandler = null;

// `handler()` runs when a call gets 401 (the session ended or expired).
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

function errorFrom(status, data) {
  const error = data && typeof data === 'object' ? data.error : null;
  return new ApiError(status, error?.code ?? 'http', error?.message ?? `HTTP ${status}`);
}

function noticeUnauthorized(status, path) {
  if (status === 401 && unauthorizedHandler && !path.startsWith('/auth/login')) unauthorizedHandler();
}

// Calls METHOD /api/v1PATH with `body` as JSON (or `raw` sent as `contentType`).
// Resolves to the parsed JSON (text for other types, null for 204); rejects with
// ApiError (code "network" when the server cannot be reached).
export async function api(method, path, body, { raw, contentType } = {}) {
  const options = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (raw !== undefined) {
    options.body = raw;
    options.headers['Content-Type'] = contentType;
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(API + path, options);
  } catch (error) {
    throw new ApiError(0, 'network', error.message);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await response.json().catch(() => null)
    : await response.text();
  if (!response.ok) {
    noticeUnauthorized(response.status, path);
    throw errorFrom(response.status, data);
  }
  return data;
}

// Sends a CSV file as it is (its bytes, so that the server judges the encoding).
export function importCsv(path, file) {
  return api('POST', path, undefined, { raw: file, contentType: 'text/csv' });
}

// Uploads `file` with POST to PATH; onProgress(sent, total) as the body goes out.
// Resolves to the JSON answer; rejects with ApiError. XMLHttpRequest, because fetch
// reports no upload progress.
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API + path);
    xhr.withCredentials = true;
    // The server reads the type from the content; this only keeps the body from being
    // taken for JSON.
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (event) => {
      if (onProgress) onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    });
    xhr.addEventListener('load', () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        noticeUnauthorized(xhr.status, path);
        reject(errorFrom(xhr.status, data));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'upload_failed', '')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'upload_failed', '')));
    xhr.send(file);
  });
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
