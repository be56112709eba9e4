"""Live-server fixtures: a real Odoo 19 server on the test database, users, API keys.

Run through ``python3 tools/dev.py test``: it creates a fresh database with both
modules, then runs pytest with CRM_TEST_DB (that database) and CRM_ODOO_CONF (the
odoo.conf). The session fixture ``odoo_server`` starts ``python3 -m odoo`` on that
database on a free port (CRM_TEST_HTTP_PORT forces one) and stops it at the end.

The database is used by nothing else during the run, but the tests do not rely on
its content: every test creates its own records under unique names.

API keys (for JSON-2) are made the way a user makes one in the web client, over
HTTP as that user: log in (/web/session/authenticate), create the
``res.users.apikeys.description`` wizard, ``make_key``, answer the identity check
(``res.users.identitycheck.run_check`` with the password), read the key from the
returned action. No shell, no SQL, nothing outside the server's public routes.
"""

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
import uuid

import pytest
from crm_client import Connection, RetryPolicy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
START_TIMEOUT = 90
ADMIN_PASSWORD = "admin"  # the database is created by `-i`: admin/admin
TRANSPORTS = ("xmlrpc", "json2")


def unique(prefix):
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path, lines=60):
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


@pytest.fixture(scope="session")
def odoo_server(tmp_path_factory):
    database = os.environ.get("CRM_TEST_DB")
    conf = os.environ.get("CRM_ODOO_CONF")
    if not database or not conf:
        pytest.fail(
            "The live-server tests need a database with crm_extended and crm_analytics "
            "installed (CRM_TEST_DB) and the Odoo config (CRM_ODOO_CONF): run them with "
            "`python3 tools/dev.py test`.",
            pytrace=False,
        )
    port = int(os.environ.get("CRM_TEST_HTTP_PORT") or free_port())
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("odoo") / "odoo-server.log"
    command = [
        sys.executable, "-m", "odoo", "-c", conf, "-d", database,
        "--http-port", str(port), "--http-interface", "127.0.0.1",
        "--db-filter", f"^{database}$", "--max-cron-threads", "0", "--log-level", "warn",
        # /xmlrpc warns on every call in Odoo 19 (removal in 20): keep the log readable.
        "--log-handler", "odoo.addons.rpc.controllers.xmlrpc:ERROR",
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"Odoo exited with {process.returncode} before answering; its log:\n"
                    + _log_tail(log_path), pytrace=False,
                )
            try:
                healthy = _get(f"{url}/web/health") == 200
            except (OSError, urllib.error.URLError):
                healthy = False
            if healthy:
                # /web/login loads the database's registry: the tests start warm.
                try:
                    _get(f"{url}/web/login", timeout=60)
                    break
                except urllib.error.HTTPError as error:
                    pytest.fail(
                        f"Odoo runs on {url} but cannot serve database {database!r} "
                        f"(/web/login: HTTP {error.code}); its log:\n" + _log_tail(log_path),
                        pytrace=False,
                    )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Odoo did not answer on {url} within {START_TIMEOUT}s; its log:\n"
                    + _log_tail(log_path), pytrace=False,
                )
            time.sleep(0.5)
        server = types.SimpleNamespace(url=url, db=database, port=port, log_path=str(log_path))
        admin = Connection(url, database, login="admin", password=ADMIN_PASSWORD, timeout=120)
        installed = admin.search_read(
            "ir.module.module",
            [("name", "in", ["crm_extended", "crm_analytics"]), ("state", "=", "installed")],
            ["name"],
        )
        if len(installed) != 2:
            pytest.fail(
                f"crm_extended and crm_analytics are not both installed in {database!r} "
                f"(installed: {[m['name'] for m in installed]}): run the tests with "
                "`python3 tools/dev.py test`.", pytrace=False,
            )
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------
# pytest-odoo
# ---------------------------------------------------------------------------
# pytest-odoo (installed by requirements-test.txt, and in most Odoo developers'
# environments) loads an Odoo registry in-process for every test session: its
# autouse fixtures need --odoo-database. These tests talk to a live server over
# HTTP and import nothing from Odoo, so here the plugin's fixtures do nothing.
# The add-ons' own tests keep them: `pytest --odoo-database=DB addons/...`.


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield


# ---------------------------------------------------------------------------
# Connections and users
# ---------------------------------------------------------------------------


def connect(server, user, transport):
    """A crm_client Connection as ``user`` (namespace with login, password, api_key)."""
    return Connection(
        server.url, server.db, login=user.login,
        password=user.password if transport == "xmlrpc" else None,
        api_key=user.api_key, transport=transport, timeout=120,
        retry=RetryPolicy(retries=2, delay=0.2),
    )


class WebSession:
    """A browser-like session (cookie jar, JSON-RPC): only to make API keys, the
    way a user does in Preferences > Account Security."""

    def __init__(self, server):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def rpc(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}).encode()
        request = urllib.request.Request(
            self.server.url + path, data=body, headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            error = answer["error"]
            raise AssertionError(f"{path}: {error.get('data', {}).get('message') or error}")
        return answer["result"]

    def call_kw(self, model, method, args, kwargs=None):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


def make_api_key(server, login, password):
    session = WebSession(server)
    info = session.rpc("/web/session/authenticate", {"db": server.db, "login": login, "password": password})
    assert info.get("uid"), f"cannot log in as {login}"
    wizard = session.call_kw(
        "res.users.apikeys.description", "create", [{"name": "pytest", "duration": "1"}]
    )
    wizard_id = wizard[0] if isinstance(wizard, list) else wizard
    action = session.call_kw("res.users.apikeys.description", "make_key", [[wizard_id]])
    if action.get("res_model") == "res.users.identitycheck":
        action = session.call_kw(
            "res.users.identitycheck", "run_check", [[action["res_id"]]],
            {"context": {"password": password}},
        )
    key = action.get("context", {}).get("default_key")
    assert key, f"no API key in {action!r}"
    return key


def group_id(admin, xmlid):
    module, name = xmlid.split(".")
    rows = admin.search_read(
        "ir.model.data", [("module", "=", module), ("name", "=", name), ("model", "=", "res.groups")],
        ["res_id"],
    )
    assert rows, f"group {xmlid} not found"
    return rows[0]["res_id"]


def _user(login, password, uid, api_key=None):
    return types.SimpleNamespace(login=login, password=password, uid=uid, api_key=api_key)


@pytest.fixture(scope="session")
def users(odoo_server):
    """admin, a plain salesman (sales_team.group_sale_salesman only), a CRM
    manager (crm_extended.group_crm_extended_manager), an integration user
    (crm_extended.group_crm_extended_integration only) and an employee with no
    sales, CRM or accounting rights (base.group_user only), each with an API key."""
    admin = _user("admin", ADMIN_PASSWORD, None)
    admin_conn = connect(odoo_server, admin, "xmlrpc")
    admin.uid = admin_conn.uid
    admin.api_key = make_api_key(odoo_server, admin.login, admin.password)
    made = {"admin": admin}
    suffix = uuid.uuid4().hex[:8]
    for role, groups in (
        ("salesman", ["sales_team.group_sale_salesman"]),
        ("manager", ["crm_extended.group_crm_extended_manager"]),
        ("integration", ["crm_extended.group_crm_extended_integration"]),
        ("employee", ["base.group_user"]),
    ):
        login, password = f"pytest_{role}_{suffix}", f"pw-{role}-{suffix}"
        uid = admin_conn.create("res.users", {
            "name": f"Pytest {role.title()} {suffix}",
            "login": login,
            "password": password,
            "group_ids": [(6, 0, [group_id(admin_conn, xmlid) for xmlid in groups])],
        })
        made[role] = _user(login, password, uid, make_api_key(odoo_server, login, password))
    return types.SimpleNamespace(**made)


@pytest.fixture(scope="session")
def rpc(odoo_server, users):
    """rpc(role, transport) -> Connection; role is admin, salesman, manager,
    integration or employee."""
    cache = {}

    def get(role, transport):
        if (role, transport) not in cache:
            cache[role, transport] = connect(odoo_server, getattr(users, role), transport)
        return cache[role, transport]

    return get


@pytest.fixture(params=TRANSPORTS)
def transport(request):
    return request.param


# ---------------------------------------------------------------------------
# Business records, created as admin over the transport under test
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def product_id(rpc):
    return rpc("admin", "xmlrpc").create(
        "product.product", {"name": unique("Pytest Widget"), "type": "consu", "list_price": 250.0}
    )


@pytest.fixture
def make_customer(rpc, transport):
    def make(**vals):
        return rpc("admin", transport).create(
            "res.partner", {"name": unique("Pytest Customer"), "is_company": True, **vals}
        )
    return make


@pytest.fixture
def make_order(rpc, transport, product_id):
    def make(partner_id, quantity=4):
        return rpc("admin", transport).create("sale.order", {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": quantity})],
        })
    return make


# ---------------------------------------------------------------------------
# The command line, as a subprocess
# ---------------------------------------------------------------------------


@pytest.fixture
def run_cli(odoo_server, tmp_path):
    """run_cli(user, transport, *argv) -> CompletedProcess of `python3 -m crm_client`
    (transport None: no --transport, the client chooses).
    Credentials go through the environment; HOME/XDG point at an empty folder so a
    developer's own ~/.config/crm-client.ini does not leak in."""

    def run(user, transport, *argv, extra_env=None):
        env = {
            key: value for key, value in os.environ.items()
            if not key.startswith("CRM_") or key in ("CRM_TEST_DB", "CRM_ODOO_CONF")
        }
        env.update({
            "PYTHONPATH": os.pathsep.join(filter(None, [SCRIPTS, os.environ.get("PYTHONPATH")])),
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "CRM_URL": odoo_server.url,
            "CRM_DB": odoo_server.db,
            "CRM_LOGIN": user.login,
            "CRM_PASSWORD": user.password,
            "CRM_API_KEY": user.api_key or "",
            **(extra_env or {}),
        })
        return subprocess.run(
            [sys.executable, "-m", "crm_client",
             *(["--transport", transport] if transport else []), *argv],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )

    return run
