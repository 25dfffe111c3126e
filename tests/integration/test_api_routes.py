# SPDX-License-Identifier: MIT
"""Every REST route, taken from the server's own index, against bad input: no
credentials, too small a role, a malformed body, a body of the wrong type and an
oversized body each get a 4xx with a JSON error that says what is wrong, nothing
is written, and the server keeps serving. And docs/api.md documents exactly the
routes the server has."""

import json
import re

import pytest

from cau_harness import REPO_ROOT, ApiClient, admin_client, http_get, http_request

BODY_LIMIT = 4096
UPLOAD_LIMIT = 8192
LIMITS = {"http": {"max_body_bytes": str(BODY_LIMIT)},
          "materials": {"max_bytes": str(UPLOAD_LIMIT)}}
WITH_BODY = {"POST", "PUT", "PATCH"}
ROLE_RANK = {"anyone": 0, "chair": 1, "operator": 2}
CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}


@pytest.fixture
def api(cau_server):
    """A server with small body limits, its route index, an operator and a chair."""
    server = cau_server(LIMITS)
    admin = admin_client(server)
    assert admin.call("POST", "/accounts", CHAIR)[0] == 201
    chair = ApiClient(server)
    chair.login(CHAIR["username"], CHAIR["password"])
    status, routes, _ = ApiClient(server).call("GET", "/routes", token="")
    assert status == 200 and len(routes) > 40
    return server, routes, admin, chair


def concrete(path):
    """The route's path with every {parameter} naming an object that does not exist."""
    return re.sub(r"\{[^}]+\}", "999999", path)


def send(server, method, path, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, response_headers, payload = http_request(method, server.url + path, body=body,
                                                     headers=headers)
    return status, response_headers, payload


def assert_json_error(status, headers, payload, allowed, where):
    assert status in allowed, (where, status, payload[:300])
    assert headers["Content-Type"].startswith("application/json"), where
    error = json.loads(payload)["error"]
    assert error["code"] and error["message"], where
    return error


def audit_count(admin):
    return len(admin.call("GET", "/audit?limit=1000")[1])


def test_docs_document_exactly_the_served_routes(api):
    """docs/api.md has a row for every route the server answers, and no other."""
    _, routes, _, _ = api
    text = (REPO_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {(m[1], m[2].split("?")[0]) for m in re.finditer(
        r"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/api/v1/[^`]*)`", text, re.M)}
    served = {(r["method"], r["path"]) for r in routes}
    assert served - documented == set(), "routes missing from docs/api.md"
    assert documented - served == set(), "docs/api.md names routes the server lacks"


def test_unauthorised_requests_are_refused(api):
    """Without credentials every route that needs a role answers 401; with a chair's
    token every operator route answers 403 — before any body is looked at."""
    server, routes, admin, chair = api
    before = audit_count(admin)
    for route in routes:
        method, path = route["method"], concrete(route["path"])
        body = b"{}" if method in WITH_BODY else None
        headers = {"Content-Type": "application/json"} if body else {}
        if ROLE_RANK[route["role"]] >= 1:
            status, h, payload = send(server, method, path, body=body, headers=headers)
            error = assert_json_error(status, h, payload, {401}, route)
            assert error["code"] == "unauthorized"
            status, h, payload = send(server, method, path, token="not-a-session", body=body,
                                      headers=headers)
            assert_json_error(status, h, payload, {401}, route)
        if route["role"] == "operator":
            status, h, payload = send(server, method, path, token=chair.token, body=body,
                                      headers=headers)
            error = assert_json_error(status, h, payload, {403}, route)
            assert error["code"] == "forbidden"
    # Refused requests write nothing (the audit log holds only the chair's login).
    assert audit_count(admin) == before


def test_malformed_bodies_are_refused(api):
    """Every route that takes a body refuses a malformed one with 400/404/415 and a
    message: broken JSON for JSON routes, a wrong Content-Type, and bytes that are not
    what a CSV import or an upload may be."""
    server, routes, admin, _ = api
    before = audit_count(admin)
    for route in routes:
        method, path = route["method"], concrete(route["path"])
        if method not in WITH_BODY:
            continue
        if route["body"] == "json":
            status, h, payload = send(server, method, path, token=admin.token, body=b"{oops",
                                      headers={"Content-Type": "application/json"})
            error = assert_json_error(status, h, payload, {400}, route)
            assert error["code"] == "bad_json", route
            status, h, payload = send(server, method, path, token=admin.token, body=b"[1, 2]",
                                      headers={"Content-Type": "application/json"})
            assert_json_error(status, h, payload, {400}, route)
            status, h, payload = send(server, method, path, token=admin.token, body=b"a=1",
                                      headers={"Content-Type":
                                               "application/x-www-form-urlencoded"})
            assert_json_error(status, h, payload, {415}, route)
        else:
            status, h, payload = send(server, method, path, token=admin.token,
                                      body=b"\xff\xfe\x00garbage\x00",
                                      headers={"Content-Type": "text/csv"})
            assert_json_error(status, h, payload, {400, 404, 415}, route)
    assert audit_count(admin) == before


def test_oversized_bodies_are_refused(api):
    """Every route that takes a body refuses one over its limit with 413 (JSON and CSV
    over [http] max_body_bytes, uploads over [materials] max_bytes), and the server
    goes on answering."""
    server, routes, admin, _ = api
    tried = 0
    for route in routes:
        method, path = route["method"], concrete(route["path"])
        if method not in WITH_BODY:
            continue
        tried += 1
        size = (UPLOAD_LIMIT if route["body"] == "upload" else BODY_LIMIT) + 1
        content_type = "application/json" if route["body"] == "json" else "text/csv"
        token = None if route["role"] == "anyone" else admin.token
        status, h, payload = send(server, method, path, token=token, body=b" " * size,
                                  headers={"Content-Type": content_type})
        error = assert_json_error(status, h, payload, {413}, route)
        assert error["code"] == "too_large"
    assert tried >= 20, "the index lists fewer routes with bodies than the API has"
    status, _, body = http_get(server.url + "/healthz")
    assert (status, body) == (200, b'{"status":"ok"}')


def test_unknown_objects_are_404(api):
    """Reading or changing an object that does not exist answers 404 with a message,
    for every route whose path names an object."""
    server, routes, admin, _ = api
    for route in routes:
        if "{" not in route["path"] or route["method"] in WITH_BODY | {"DELETE"}:
            continue
        status, h, payload = send(server, route["method"], concrete(route["path"]),
                                  token=admin.token)
        assert_json_error(status, h, payload, {404}, route)
