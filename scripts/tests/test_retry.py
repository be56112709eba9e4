"""Retry policy against a real HTTP server on 127.0.0.1 (real sockets, no Odoo).

The fake server plays a flaky front (proxy) of Odoo: it answers 503/502 or drops
the connection a given number of times, then answers like Odoo's endpoints do.
"""

import json
import socket
import threading
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from crm_client import Connection, RetryPolicy, errors


class FlakyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, failures, answer):
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = list(failures)  # e.g. [503, "reset"]: one per request, then answer
        self.answer = answer  # callable(path, headers, body) -> (status, content type, bytes)
        self.requests = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.path, dict(self.headers), body))
        failure = self.server.failures.pop(0) if self.server.failures else None
        if failure == "reset":
            # Close without answering: the client sees a reset connection.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            self.close_connection = True
            self.connection.close()
            return
        if failure:
            status, ctype, data = failure, "text/html", b"<h1>Bad gateway</h1>"
        else:
            status, ctype, data = self.server.answer(self.path, self.headers, body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def flaky():
    servers = []

    def start(failures, answer):
        server = FlakyServer(failures, answer)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def xmlrpc_answer(value):
    def answer(_path, _headers, _body):
        return 200, "text/xml", xmlrpc.client.dumps((value,), methodresponse=True).encode()
    return answer


def fault_answer(code, text):
    def answer(_path, _headers, _body):
        body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True)
        return 200, "text/xml", body.encode()
    return answer


def connect(server_url, transport="xmlrpc", retries=3, sleeps=None):
    return Connection(
        server_url, "crm", login="admin", password="admin", api_key="k3y",
        transport=transport, timeout=5,
        retry=RetryPolicy(retries=retries, delay=0.01, factor=2),
        sleep=sleeps.append if sleeps is not None else None,
    )


def test_fails_twice_then_answers(flaky):
    server = flaky([503, 502], xmlrpc_answer({"server_version": "19.0"}))
    sleeps = []
    conn = connect(server.url, sleeps=sleeps)
    assert conn.version() == {"server_version": "19.0"}
    assert len(server.requests) == 3
    assert sleeps == [0.01, 0.02]  # exponential back-off
    assert conn.http.attempts == 3


def test_reset_connections_are_retried(flaky):
    server = flaky(["reset", "reset"], xmlrpc_answer(7))
    conn = connect(server.url)
    assert conn.uid == 7
    assert len(server.requests) == 3
    assert server.requests[-1][0] == "/xmlrpc/2/common"


def test_gives_up_after_the_retries(flaky):
    server = flaky([503] * 10, xmlrpc_answer(1))
    conn = connect(server.url, retries=2)
    with pytest.raises(errors.ServerUnreachable) as error:
        conn.version()
    assert len(server.requests) == 3
    assert "503" in str(error.value) and "after 3 attempts" in str(error.value)
    assert error.value.exit_code == errors.EXIT_UNREACHABLE


def test_fault_is_never_retried(flaky):
    server = flaky([], fault_answer(2, "The order is on hold."))
    conn = connect(server.url)
    conn.transport._uid = 2  # skip authenticate: one call, one request
    with pytest.raises(errors.ServerRefused) as error:
        conn.call("sale.order", "action_confirm", [1])
    assert str(error.value) == "The order is on hold."
    assert len(server.requests) == 1


def test_server_error_500_is_never_retried(flaky):
    body = json.dumps({"name": "builtins.ValueError", "message": "boom", "debug": "tb"}).encode()
    server = flaky([], lambda *_: (500, "application/json", body))
    conn = connect(server.url, transport="json2")
    with pytest.raises(errors.ServerError):
        conn.call("res.partner", "search_count", domain=[])
    assert len(server.requests) == 1


def test_refused_connection_is_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = []
    conn = connect(f"http://127.0.0.1:{port}", retries=3, sleeps=sleeps)
    with pytest.raises(errors.ServerUnreachable) as error:
        conn.version()
    assert sleeps == [0.01, 0.02, 0.04]
    assert "connection refused" in str(error.value)


def test_json2_request_shape_and_retry(flaky):
    """The JSON-2 call: POST /json/2/<model>/<method>, bearer key, database header,
    named arguments with ids in the body; a read is retried through a 504."""
    server = flaky([504], lambda *_: (200, "application/json", b"3"))
    conn = connect(server.url, transport="json2")
    assert conn.call("res.partner", "search_count", domain=[]) == 3
    assert len(server.requests) == 2
    path, _headers, body = server.requests[-1]
    assert path == "/json/2/res.partner/search_count"
    assert json.loads(body) == {"domain": []}


@pytest.mark.parametrize("transport", ["json2", "xmlrpc"])
def test_writes_are_not_sent_twice(flaky, transport):
    """A 504 on a write may mean Odoo is still writing: never send it again."""
    server = flaky([504], lambda *_: (200, "application/json", b"true"))
    conn = connect(server.url, transport=transport)
    conn.transport._uid = 2
    with pytest.raises(errors.ServerUnreachable):
        conn.write("res.partner", [5], {"name": "ACME"})
    assert len(server.requests) == 1


def test_json2_write_request_shape(flaky):
    server = flaky([], lambda *_: (200, "application/json", b"true"))
    conn = connect(server.url, transport="json2")
    assert conn.write("res.partner", [5], {"name": "ACME"}) is True
    assert len(server.requests) == 1
    path, headers, body = server.requests[-1]
    assert path == "/json/2/res.partner/write"
    assert headers["Authorization"] == "bearer k3y"
    assert headers["X-Odoo-Database"] == "crm"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"ids": [5], "vals": {"name": "ACME"}}


def test_xmlrpc_request_shape(flaky):
    server = flaky([], xmlrpc_answer([{"id": 5, "name": "ACME"}]))
    conn = connect(server.url)
    conn.transport._uid = 2
    assert conn.read("res.partner", [5], ["name"]) == [{"id": 5, "name": "ACME"}]
    params, method = xmlrpc.client.loads(server.requests[-1][2])
    assert method == "execute_kw"
    assert params == ("crm", 2, "admin", "res.partner", "read", [[5]], {"fields": ["name"]})
