"""Errors of the client and their exit codes.

Every failure the client knows about is a :class:`ClientError` with a message meant
for the person at the terminal and an exit code scripts can test. The mapping from
what the server answered (an XML-RPC fault, a JSON-2 error body, a socket error) to
these errors lives here, so both transports report the same problem the same way.
"""

import http.client
import json
import re
import socket
import urllib.error

EXIT_OK = 0
EXIT_REFUSED = 1  # the server refused the operation (UserError, ValidationError, ...)
EXIT_USAGE = 2  # bad command line or missing settings (argparse uses 2 as well)
EXIT_AUTH = 3  # wrong login, password or API key
EXIT_ACCESS = 4  # authenticated, but not allowed (AccessError)
EXIT_DATABASE = 5  # the database does not exist or the server does not serve it
EXIT_UNREACHABLE = 6  # no answer from the server, even after the retries
EXIT_SERVER_ERROR = 7  # unexpected server error (a bug, a missing method, not Odoo)
EXIT_BLACKLISTED = 8  # blacklist-check: the customer is on the commercial blacklist
EXIT_CHECK_FAILED = 9  # check: a required module is not installed
EXIT_ROWS_FAILED = 10  # import-*: at least one row was refused (see the error report)

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_REFUSED: "the server refused the operation, or the record was not found",
    EXIT_USAGE: "usage or configuration error",
    EXIT_AUTH: "authentication failed (login, password or API key)",
    EXIT_ACCESS: "access denied: the user may not do this",
    EXIT_DATABASE: "database not found on the server",
    EXIT_UNREACHABLE: "server unreachable (after retrying)",
    EXIT_SERVER_ERROR: "unexpected server error",
    EXIT_BLACKLISTED: "blacklist-check: the customer is on the commercial blacklist",
    EXIT_CHECK_FAILED: "check: a required module is not installed",
    EXIT_ROWS_FAILED: "import-customers/import-products/import-orders: at least one row was refused",
}

# XML-RPC fault codes of Odoo's /xmlrpc/2 endpoints (addons/rpc/controllers/xmlrpc.py);
# 1 is any other exception (see error_from_fault).
FAULT_WARNING = 2  # UserError, ValidationError, MissingError, RedirectWarning
FAULT_ACCESS_DENIED = 3  # bad credentials
FAULT_ACCESS_ERROR = 4  # AccessError

TRANSIENT_HTTP_STATUS = frozenset({502, 503, 504})
_MISSING_DB = re.compile(r'database "([^"]+)" does not exist')


class ClientError(Exception):
    """A failure with a user-facing message and an exit code."""

    exit_code = EXIT_SERVER_ERROR

    def __init__(self, message, debug=None):
        super().__init__(message)
        self.message = message
        self.debug = debug  # server traceback, shown with --debug

    def __str__(self):
        return self.message


class UsageError(ClientError):
    exit_code = EXIT_USAGE


class ServerRefused(ClientError):
    """The server said no with a message for the user (UserError and friends)."""

    exit_code = EXIT_REFUSED


class NotFound(ServerRefused):
    """The record asked for does not exist."""


class AuthenticationError(ClientError):
    exit_code = EXIT_AUTH


class AccessDenied(ClientError):
    exit_code = EXIT_ACCESS


class DatabaseNotFound(ClientError):
    exit_code = EXIT_DATABASE


class ServerUnreachable(ClientError):
    exit_code = EXIT_UNREACHABLE


class ServerError(ClientError):
    exit_code = EXIT_SERVER_ERROR


class TransientHTTPError(Exception):
    """A 502/503/504 answer: worth another try. Never leaves the connection layer."""

    def __init__(self, status, reason):
        super().__init__(f"HTTP {status} {reason}")
        self.status = status
        self.reason = reason


def database_missing_error(db):
    return DatabaseNotFound(
        f"Database {db!r} does not exist on the server, or the server does not serve "
        "it (check --db / CRM_DB and the server's --db-filter)."
    )


def authentication_error(db, login=None):
    who = f"user {login!r}" if login else "this API key"
    return AuthenticationError(
        f"Authentication failed for {who} on database {db!r}: check the login and "
        "password, or the API key (it may have expired)."
    )


def _last_line(text):
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def error_from_fault(fault, db, login=None):
    """Map an ``xmlrpc.client.Fault`` from Odoo's /xmlrpc/2 to a ClientError."""
    code, text = fault.faultCode, fault.faultString or ""
    if code == FAULT_ACCESS_DENIED:
        return authentication_error(db, login)
    if code == FAULT_ACCESS_ERROR:
        return AccessDenied(text.strip())
    if code == FAULT_WARNING:
        return ServerRefused(text.strip())
    # Code 1: any other exception, the fault string is the server's traceback;
    # its last line is "ExceptionType: message".
    if _MISSING_DB.search(text):
        return database_missing_error(db)
    last = _last_line(text)
    message = last.split(": ", 1)[1] if ": " in last else last
    return ServerError(f"Server error: {message or 'no details'}", debug=text)


def error_from_json2(status, content_type, body, db):
    """Map a non-2xx answer of ``POST /json/2/<model>/<method>`` to a ClientError."""
    payload = None
    if "json" in (content_type or ""):
        try:
            payload = json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        text = body.decode("utf-8", "replace") if body else ""
        if status == 404 and "No database is selected" in text:
            # Odoo's answer when X-Odoo-Database names a database it does not serve.
            return database_missing_error(db)
        if status == 404:
            return ServerError(
                "The server has no JSON-2 endpoint here (HTTP 404): is this an Odoo 19 "
                "server, and is --url right?"
            )
        return ServerError(f"Unexpected answer from the server: HTTP {status}.", debug=text)
    name = payload.get("name") or ""
    message = (payload.get("message") or "").strip()
    debug = payload.get("debug")
    if status == 401 or name.endswith((".AccessDenied", ".SessionExpiredException")):
        return authentication_error(db)
    if name.endswith(".AccessError"):
        return AccessDenied(message, debug=debug)
    if name.startswith(("odoo.exceptions.", "odoo.addons.")):
        # UserError, ValidationError, MissingError, LockError, RedirectWarning
        return ServerRefused(message, debug=debug)
    if _MISSING_DB.search(message) or _MISSING_DB.search(debug or ""):
        return database_missing_error(db)
    return ServerError(f"Server error: {message or f'HTTP {status}'}", debug=debug)


def error_from_network(exc, url, attempts=1):
    """Map a socket-level failure to ServerUnreachable with a plain reason."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TransientHTTPError):
        what = f"the server answered {reason}"
    elif isinstance(reason, ConnectionRefusedError):
        what = "connection refused (is the server running, and is the port right?)"
    elif isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
        what = "the connection was reset by the server"
    elif isinstance(reason, socket.gaierror):
        what = "the host name could not be resolved"
    elif isinstance(reason, TimeoutError | socket.timeout):
        what = "no answer before the timeout (--timeout)"
    else:
        what = str(reason) or reason.__class__.__name__
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return ServerUnreachable(f"Cannot reach the server at {url}: {what}{tries}.")


def never_arrived(exc):
    """True when the request certainly did not reach the server (refused)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, ConnectionRefusedError)


def is_transient(exc):
    """True for network failures worth retrying: refused or reset connections and
    502/503/504 answers. Faults, timeouts and every other HTTP status are not."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(
        reason,
        TransientHTTPError | ConnectionRefusedError | ConnectionResetError | ConnectionAbortedError
        | BrokenPipeError,
    )
