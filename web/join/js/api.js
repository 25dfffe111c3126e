// SPDX-License-Identifier: MIT
// The REST API /api/v1 as a participant uses it: the join token (from the page's
// address) is the only credential; it goes in the body of /join/verify and as ?token=
// on the materials routes (docs/api.md, "Join links" and "Meeting materials").
import { API, ApiError } from '../../common/api.js';

export { API, ApiError };

async function request(path, options = {}) {
  let response;
  try {
    response = await fetch(API + path, { credentials: 'omit', cache: 'no-store', ...options });
  } catch (error) {
    throw new ApiError(0, 'network', error.message);
  }
  if (response.ok) return response;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON: the status says enough
  }
  throw new ApiError(response.status, data?.error?.code ?? 'http', data?.error?.message ?? `HTTP ${response.status}`);
}

// The token of this page: the last segment of /join/TOKEN ('' when there is none).
export function tokenFromLocation(location = window.location) {
  const match = /^\/join\/([A-Za-z0-9_-]+)$/.exec(location.pathname);
  return match ? match[1] : '';
}

// POST /join/verify: { meeting, endpoint, role, expires_at } or an ApiError.
export async function verify(token) {
  const response = await request('/join/verify', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ token }),
  });
  return response.json();
}

// The meeting's materials, oldest first.
export async function listMaterials(meetingId, token) {
  const response = await request(`/meetings/${meetingId}/materials?token=${encodeURIComponent(token)}`,
    { headers: { Accept: 'application/json' } });
  return response.json();
}

// The address that downloads a material's latest version.
export function materialUrl(materialId, token) {
  return `${API}/materials/${materialId}?token=${encodeURIComponent(token)}`;
}

// A material's latest version as bytes (for the PDF view).
export async function fetchMaterial(materialId, token) {
  const response = await request(`/materials/${materialId}?token=${encodeURIComponent(token)}`);
  return response.arrayBuffer();
}
