# SPDX-License-Identifier: MIT
"""Accounts, logins and the audit log through the REST API and `cau user`, as
operators and chairs meet them: who may do what, bad input, lockout."""

import pytest

from cau_harness import ApiClient, admin_client, initial_password, run_cau

CHAIR = {"username": "chu.tich", "role": "chair", "password": "mat-khau-chu-tich"}


def make_chair(admin):
    status, account, _ = admin.call("POST", "/accounts", CHAIR)
    assert status == 201, account
    return account


def test_login_gives_token_and_cookie(cau_server):
    """The first operator logs in with the printed password: the reply has a
    token and the account, and sets an HttpOnly, SameSite session cookie."""
    server = cau_server()
    client = ApiClient(server)
    status, reply, headers = client.call(
        "POST", "/auth/login", {"username": "admin", "password": initial_password(server)})
    assert status == 200
    assert reply["account"] == {"id": 1, "username": "admin", "role": "operator"}
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"cau_session={reply['token']};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The cookie alone authenticates too.
    status, me, _ = client.call("GET", "/auth/me", token="",
                                headers={"Cookie": f"cau_session={reply['token']}"})
    assert (status, me["account"]["username"]) == (200, "admin")


def test_wrong_password_and_unknown_user_look_the_same(cau_server):
    """Both get 401 with the same message, so user names cannot be probed."""
    client = ApiClient(cau_server())
    replies = [client.call("POST", "/auth/login", {"username": u, "password": "nope-nope"})
               for u in ("admin", "nobody")]
    assert [r[0] for r in replies] == [401, 401]
    assert replies[0][1] == replies[1][1]
    assert replies[0][1]["error"]["code"] == "unauthorized"


def test_routes_need_login_and_role(cau_server):
    """Without a token: 401. A chair may read itself but not manage accounts (403);
    an operator may."""
    server = cau_server()
    admin = admin_client(server)
    make_chair(admin)
    anonymous = ApiClient(server)
    assert anonymous.call("GET", "/accounts")[0] == 401
    assert anonymous.call("GET", "/accounts", token="forged-token")[0] == 401
    chair = ApiClient(server)
    chair.login(CHAIR["username"], CHAIR["password"])
    assert chair.call("GET", "/auth/me")[1]["account"]["role"] == "chair"
    status, reply, _ = chair.call("GET", "/accounts")
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    status, accounts, _ = admin.call("GET", "/accounts")
    assert status == 200
    assert [a["username"] for a in accounts] == ["admin", "chu.tich"]
    assert all("password_hash" not in a for a in accounts)


@pytest.mark.parametrize("body, says", [
    ({"username": "x", "role": "chair"}, '"password" is required'),
    ({"username": "x", "role": "king", "password": "0123456789"}, '"role" must be'),
    ({"username": "Bad Name", "role": "chair", "password": "0123456789"}, "user name must"),
    ({"username": "ok", "role": "chair", "password": "short"}, "password must have 10"),
    ({"username": "ok", "role": "chair", "password": "0123456789", "admin": True},
     'unknown field "admin"'),
    ({"username": 5, "role": "chair", "password": "0123456789"}, '"username" must be a string'),
])
def test_account_creation_is_validated(cau_server, body, says):
    """Each bad request gets 400 with a message naming the problem, and no
    account is created."""
    admin = admin_client(cau_server())
    status, reply, _ = admin.call("POST", "/accounts", body)
    assert status == 400
    assert says in reply["error"]["message"]
    assert len(admin.call("GET", "/accounts")[1]) == 1


def test_malformed_bodies(cau_server):
    """Not JSON → 400 bad_json; JSON of the wrong shape → 400; no Content-Type →
    415; a duplicate name → 409."""
    admin = admin_client(cau_server())
    json_header = {"Content-Type": "application/json"}
    assert admin.call("POST", "/accounts", raw=b"{oops", headers=json_header)[1]["error"][
        "code"] == "bad_json"
    assert admin.call("POST", "/accounts", raw=b"[1]", headers=json_header)[0] == 400
    assert admin.call("POST", "/accounts", raw=b'{"a":1}')[0] == 415
    make_chair(admin)
    status, reply, _ = admin.call("POST", "/accounts", CHAIR)
    assert (status, reply["error"]["code"]) == (409, "conflict")


def test_lockout_after_failed_logins(cau_server):
    """After max_failed_logins wrong passwords the account is locked: even the
    right password gets 429 `locked` until the lockout ends; the audit log
    shows the failures and the lockout."""
    server = cau_server({"auth": {"max_failed_logins": "3", "lockout_s": "600"}})
    admin = admin_client(server)
    make_chair(admin)
    client = ApiClient(server)
    for _ in range(3):
        assert client.call("POST", "/auth/login",
                           {"username": "chu.tich", "password": "wrong-password"})[0] == 401
    status, reply, _ = client.call("POST", "/auth/login",
                                   {"username": "chu.tich", "password": CHAIR["password"]})
    assert (status, reply["error"]["code"]) == (429, "locked")
    assert "try again in" in reply["error"]["message"]
    accounts = {a["username"]: a for a in admin.call("GET", "/accounts")[1]}
    assert accounts["chu.tich"]["locked"] is True
    actions = [e["action"] for e in admin.call("GET", "/audit?action=auth.")[1]]
    assert actions[:4] == ["auth.lockout", "auth.login_failed", "auth.login_failed",
                           "auth.login"]
    # An operator resetting the password lifts the lock.
    admin.call("PATCH", f"/accounts/{accounts['chu.tich']['id']}",
               {"password": "mat-khau-moi-123"})
    assert client.call("POST", "/auth/login",
                       {"username": "chu.tich", "password": "mat-khau-moi-123"})[0] == 200


def test_password_change_and_disable_end_sessions(cau_server):
    """A chair changes its password (needs the current one): its old token stops
    working. Disabling an account ends its sessions and its logins."""
    server = cau_server()
    admin = admin_client(server)
    chair_id = make_chair(admin)["id"]
    chair = ApiClient(server)
    chair.login(CHAIR["username"], CHAIR["password"])
    old_token = chair.token
    status, reply, _ = chair.call("POST", "/auth/password",
                                  {"current_password": "wrong", "new_password": "x" * 12})
    assert (status, reply["error"]["code"]) == (403, "forbidden")
    assert chair.call("POST", "/auth/password", {"current_password": CHAIR["password"],
                                                 "new_password": "mat-khau-moi-456"})[0] == 204
    assert chair.call("GET", "/auth/me", token=old_token)[0] == 401
    chair.login("chu.tich", "mat-khau-moi-456")
    status, account, _ = admin.call("PATCH", f"/accounts/{chair_id}", {"disabled": True})
    assert (status, account["disabled"]) == (200, True)
    assert chair.call("GET", "/auth/me")[0] == 401
    assert ApiClient(server).call("POST", "/auth/login", {
        "username": "chu.tich", "password": "mat-khau-moi-456"})[0] == 401


def test_operator_cannot_lock_itself_out(cau_server):
    """Disabling one's own account or changing one's own role is refused (409)."""
    admin = admin_client(cau_server())
    assert admin.call("PATCH", "/accounts/1", {"disabled": True})[0] == 409
    assert admin.call("PATCH", "/accounts/1", {"role": "chair"})[0] == 409
    assert admin.call("PATCH", "/accounts/99", {"disabled": False})[0] == 404
    assert admin.call("PATCH", "/accounts/abc", {"disabled": False})[0] == 404


def test_logout_ends_the_session(cau_server):
    """After logout the token is refused and the cookie is cleared."""
    admin = admin_client(cau_server())
    status, _, headers = admin.call("POST", "/auth/logout")
    assert status == 204
    assert headers["Set-Cookie"].startswith("cau_session=;")
    assert admin.call("GET", "/auth/me")[0] == 401


def test_audit_log_records_actions_and_filters(cau_server):
    """Creating an account is audited with who did it; the log filters by
    actor and action and pages with `before`; bad query values get 400."""
    admin = admin_client(cau_server())
    make_chair(admin)
    status, entries, _ = admin.call("GET", "/audit?actor=admin&action=account.")
    assert status == 200
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("admin", "account.create", "chu.tich")]
    assert entries[0]["detail"] == {"role": "chair"}
    newest = admin.call("GET", "/audit?limit=1")[1]
    assert len(newest) == 1
    older = admin.call("GET", f"/audit?before={newest[0]['id']}")[1]
    assert all(e["id"] < newest[0]["id"] for e in older) and older
    status, reply, _ = admin.call("GET", "/audit?limit=abc")
    assert status == 400 and '"limit"' in reply["error"]["message"]


def test_cli_user_add_passwd_list(cau_config):
    """`cau user add` generates and prints a password that logs in (checked by
    `cau user passwd --password-stdin` replacing it), `cau user list` shows the
    accounts; a taken name or a missing role is an error."""
    config, _ = cau_config()
    added = run_cau("user", "add", "thu.ky", "--role", "chair", "-c", config)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith('user "thu.ky": password "')
    again = run_cau("user", "add", "thu.ky", "--role", "chair", "-c", config)
    assert again.returncode == 1 and "exists already" in again.stderr
    assert run_cau("user", "add", "x", "-c", config).returncode == 2
    passwd = run_cau("user", "passwd", "thu.ky", "--password-stdin", "-c", config,
                     input="mot-mat-khau-dai\n")
    assert passwd.returncode == 0 and "password set" in passwd.stdout
    listing = run_cau("user", "list", "-c", config)
    assert listing.returncode == 0
    assert "thu.ky" in listing.stdout and "chair" in listing.stdout
    assert run_cau("user", "passwd", "nobody", "-c", config,
                   input="x" * 12 + "\n", ).returncode == 1
