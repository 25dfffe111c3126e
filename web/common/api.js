// SPDX-License-Identifier: MIT
// What both pages share of the REST API /api/v1: its prefix and its error answers.
export const API = '/api/v1';

// An error answer: HTTP status, the API's stable code and the server's message for a
// person (status 0 and code "network" when the server could not be reached).
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
