"""Error mapping: what the server answers -> message and exit code."""

import json
import xmlrpc.client

import pytest
from crm_client import errors


def real_fault(code, text):
    """A Fault exactly as xmlrpc.client raises it when it parses a fault answer."""
    body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True)
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(body)
    return info.value


TRACEBACK = """Traceback (most recent call last):
  File "/opt/odoo19/odoo/service/model.py", line 59, in get_public_method
    raise AttributeError(f"The method '{model._name}.{name}' does not exist")
AttributeError: The method 'res.partner.crm_nothing' does not exist
"""
MISSING_DB = """Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/psycopg2/__init__.py", line 122, in connect
psycopg2.OperationalError: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "nope" does not exist
"""


@pytest.mark.parametrize(
    ("code", "text", "error_class", "exit_code", "message"),
    [
        (2, "ACME is on the commercial blacklist (fraud): you cannot confirm this order.",
         errors.ServerRefused, errors.EXIT_REFUSED,
         "ACME is on the commercial blacklist (fraud): you cannot confirm this order."),
        (3, "Access Denied", errors.AuthenticationError, errors.EXIT_AUTH,
         "Authentication failed for user 'jane' on database 'crm'"),
        (4, "Only CRM managers may put a customer on the commercial blacklist or lift it.",
         errors.AccessDenied, errors.EXIT_ACCESS, "Only CRM managers may put a customer"),
        (1, MISSING_DB, errors.DatabaseNotFound, errors.EXIT_DATABASE, "Database 'crm' does not exist"),
        (1, TRACEBACK, errors.ServerError, errors.EXIT_SERVER_ERROR,
         "Server error: The method 'res.partner.crm_nothing' does not exist"),
    ],
)
def test_fault_mapping(code, text, error_class, exit_code, message):
    error = errors.error_from_fault(real_fault(code, text), "crm", "jane")
    assert type(error) is error_class
    assert error.exit_code == exit_code
    assert str(error).startswith(message)
    assert "Traceback" not in str(error)


def test_internal_fault_keeps_the_traceback_for_debug():
    error = errors.error_from_fault(real_fault(1, TRACEBACK), "crm")
    assert error.debug == TRACEBACK


def json2_body(name, message, status):
    return json.dumps({"name": name, "message": message, "arguments": [message, status],
                       "context": {}, "debug": "Traceback ..."}).encode()


@pytest.mark.parametrize(
    ("status", "name", "message", "error_class"),
    [
        (401, "werkzeug.exceptions.Unauthorized", "Invalid apikey", errors.AuthenticationError),
        (403, "odoo.exceptions.AccessError", "Only CRM managers may ...", errors.AccessDenied),
        (422, "odoo.exceptions.UserError", "ACME is on the commercial blacklist", errors.ServerRefused),
        (422, "odoo.exceptions.ValidationError", "Contacts require a name", errors.ServerRefused),
        (404, "odoo.exceptions.MissingError", "Record does not exist", errors.ServerRefused),
        (404, "werkzeug.exceptions.NotFound", "The method 'x.y' does not exist", errors.ServerError),
        (500, "builtins.ValueError", "Invalid field 'x' on 'res.partner'", errors.ServerError),
    ],
)
def test_json2_mapping(status, name, message, error_class):
    error = errors.error_from_json2(status, "application/json; charset=utf-8",
                                    json2_body(name, message, status), "crm")
    assert type(error) is error_class
    if error_class in (errors.ServerRefused, errors.AccessDenied):
        assert str(error) == message  # the server's own words, nothing added
    if error_class is errors.ServerError:
        assert message in str(error)


def test_json2_unknown_database():
    # Odoo's HTML answer when X-Odoo-Database names a database it does not serve.
    html = b"<!DOCTYPE html>\n<title>404 Not Found</title>\n<p>No database is selected and ..."
    error = errors.error_from_json2(404, "text/html; charset=utf-8", html, "nope")
    assert isinstance(error, errors.DatabaseNotFound)
    assert error.exit_code == errors.EXIT_DATABASE
    assert "'nope'" in str(error)


def test_network_errors():
    refused = errors.error_from_network(ConnectionRefusedError(111, "Connection refused"), "http://h:1", 4)
    assert refused.exit_code == errors.EXIT_UNREACHABLE
    assert str(refused) == (
        "Cannot reach the server at http://h:1: connection refused (is the server running, "
        "and is the port right?) after 4 attempts."
    )
    assert errors.is_transient(ConnectionRefusedError())
    assert errors.is_transient(ConnectionResetError())
    assert errors.is_transient(errors.TransientHTTPError(503, "Service Unavailable"))
    assert not errors.is_transient(TimeoutError())
    assert not errors.is_transient(real_fault(2, "no"))


def test_exit_codes_are_distinct():
    codes = [errors.ServerRefused.exit_code, errors.UsageError.exit_code,
             errors.AuthenticationError.exit_code, errors.AccessDenied.exit_code,
             errors.DatabaseNotFound.exit_code, errors.ServerUnreachable.exit_code,
             errors.ServerError.exit_code, errors.EXIT_BLACKLISTED, errors.EXIT_CHECK_FAILED]
    assert len(set(codes)) == len(codes)
    assert errors.EXIT_OK not in codes
