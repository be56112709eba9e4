"""Argument parsing and the command line's own errors; no server needed."""

import io
import socket

import pytest
from crm_client import cli, errors


def parse(*argv):
    return vars(cli.build_parser().parse_args(list(argv)))


def test_options_before_and_after_the_command():
    before = parse("--format", "json", "--url", "http://x:1", "customers", "--grade", "A")
    after = parse("customers", "--grade", "A", "--format", "json", "--url", "http://x:1")
    for options in (before, after):
        assert options["command"] == "customers"
        assert options["format"] == "json"
        assert options["url"] == "http://x:1"
        assert options["grade"] == "A"
        assert options["limit"] == 100


def test_unset_options_are_absent_so_env_and_file_can_fill_them():
    options = parse("check")
    for name in ("url", "db", "login", "password", "api_key", "transport", "format"):
        assert name not in options


def test_customer_needs_an_id_or_reference(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse("customer")
    assert exit_info.value.code == errors.EXIT_USAGE
    assert "customer" in capsys.readouterr().err


def test_unknown_transport_and_format_are_refused():
    for argv in (("--transport", "soap", "check"), ("check", "--format", "xml")):
        with pytest.raises(SystemExit) as exit_info:
            parse(*argv)
        assert exit_info.value.code == errors.EXIT_USAGE


def test_help_lists_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse("--help")
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for word in ("check", "customers", "customer", "reclassify", "blacklist-check"):
        assert word in text
    for code, meaning in errors.EXIT_CODES.items():
        assert f"{code}  {meaning}" in text


def run_main(argv, environ):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, environ=environ, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_missing_url_is_a_usage_error(tmp_path):
    code, out, err = run_main(["check"], {"XDG_CONFIG_HOME": str(tmp_path)})
    assert code == errors.EXIT_USAGE
    assert out == ""
    assert "No server URL" in err and "CRM_URL" in err


def test_missing_database_is_a_usage_error(tmp_path):
    code, _out, err = run_main(["check", "--url", "http://127.0.0.1:9"], {"XDG_CONFIG_HOME": str(tmp_path)})
    assert code == errors.EXIT_USAGE
    assert "No database" in err


def test_json2_without_api_key_is_a_usage_error(tmp_path):
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "CRM_URL": "http://127.0.0.1:9", "CRM_DB": "x"}
    code, _out, err = run_main(["--transport", "json2", "--retries", "0", "customers"], environ)
    assert code == errors.EXIT_USAGE
    assert "API key" in err


def test_unreachable_server_exit_code_and_message(tmp_path):
    # A port that was just free: nothing listens there, the connection is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environ = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "CRM_URL": f"http://127.0.0.1:{port}",
        "CRM_DB": "x", "CRM_LOGIN": "admin", "CRM_PASSWORD": "admin",
    }
    code, out, err = run_main(["check", "--retries", "1", "--retry-delay", "0.01"], environ)
    assert code == errors.EXIT_UNREACHABLE
    assert out == ""
    # A password and no API key: the /xmlrpc note first, then the error.
    note, error = err.split("\n", 1)
    assert note.startswith("note: no API key")
    assert error.startswith("error: Cannot reach the server")
    assert "connection refused" in err and "after 2 attempts" in err
    assert "Traceback" not in err


def test_complaint_and_contract_commands():
    options = parse("--format", "csv", "complaints", "list", "--sla", "breached", "--open")
    assert (options["command"], options["action"], options["sla"], options["open"]) == (
        "complaints", "list", "breached", True)
    assert options["format"] == "csv"
    options = parse("complaints", "update", "42", "--stage", "Closed", "--send-to-customer")
    assert (options["id"], options["stage"], options["send_to_customer"]) == (42, "Closed", True)
    options = parse("contracts", "expiring", "--days", "7")
    assert (options["action"], options["days"]) == ("expiring", 7)
    assert set(cli.COMMANDS) >= {"complaints create", "complaints list", "complaints update",
                                 "contracts expiring"}


def test_complaint_create_needs_exactly_one_customer(capsys):
    for argv in (("complaints", "create", "--subject", "x"),
                 ("complaints", "create", "--subject", "x", "--customer-id", "1",
                  "--customer-ref", "C-1"),
                 ("complaints", "create", "--customer-ref", "C-1"),
                 ("complaints", "update", "not-a-number", "--priority", "1"),
                 ("complaints", "list", "--sla", "late")):
        with pytest.raises(SystemExit) as exit_info:
            parse(*argv)
        assert exit_info.value.code == errors.EXIT_USAGE
    capsys.readouterr()


def test_score_commands():
    options = parse("scores", "list", "--customer-ref", "C-1", "--segment", "at_risk",
                    "--churn-risk", "high", "--min-score", "72.5", "--format", "csv")
    assert (options["command"], options["action"], options["customer_ref"], options["segment"],
            options["churn_risk"], options["min_score"], options["limit"]) == (
        "scores", "list", "C-1", "at_risk", "high", 72.5, 100)
    assert parse("scores", "recompute")["action"] == "recompute"
    assert {"scores list", "scores recompute"} <= set(cli.COMMANDS)
    assert cli.SCORE_COLUMNS[:3] == ["partner_id", "name", "external_ref"]


def test_score_list_refuses_bad_numbers(capsys):
    for argv in (("scores", "list", "--min-score", "high"),
                 ("scores", "list", "--customer-id", "C-1"),
                 ("scores",)):
        with pytest.raises(SystemExit) as exit_info:
            parse(*argv)
        assert exit_info.value.code == errors.EXIT_USAGE
    capsys.readouterr()


def test_segments_export_options():
    options = parse("segments", "export", "At-risk A", "--format", "csv", "-o", "out.csv",
                    "--page-size", "500", "-q")
    assert (options["command"], options["action"]) == ("segments", "export")
    assert (options["segment"], options["output"], options["page_size"], options["quiet"]) == (
        "At-risk A", "out.csv", 500, True)
    assert parse("segments", "export", "7")["page_size"] == 2000
    assert cli._segment_ident(" 42 ") == 42
    assert cli._segment_ident("42 customers") == "42 customers"
    with pytest.raises(errors.UsageError):
        cli._segment_ident("  ")


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_password_only_prints_the_xmlrpc_note_once(tmp_path):
    """Without an API key the run says once, before anything else, that
    /xmlrpc is deprecated and how to get a key; with a key it says nothing."""
    base = {"XDG_CONFIG_HOME": str(tmp_path), "CRM_URL": f"http://127.0.0.1:{_closed_port()}",
            "CRM_DB": "x", "CRM_LOGIN": "me", "CRM_PASSWORD": "secret", "CRM_RETRIES": "0"}
    code, _out, err = run_main(["check"], base)
    assert code == errors.EXIT_UNREACHABLE
    assert err.count("Odoo 19 deprecates") == 1
    assert err.startswith("note: no API key")
    assert "Preferences > Account Security > New API Key" in err and "CRM_API_KEY" in err
    code, _out, err = run_main(["check"], dict(base, CRM_API_KEY="key"))
    assert code == errors.EXIT_UNREACHABLE
    assert "deprecates" not in err
    code, _out, err = run_main(["--transport", "xmlrpc", "check"], base)
    assert "deprecates" not in err


def test_changes_arguments_are_checked_before_any_call(tmp_path):
    base = {"XDG_CONFIG_HOME": str(tmp_path), "CRM_URL": f"http://127.0.0.1:{_closed_port()}",
            "CRM_DB": "x", "CRM_API_KEY": "key", "CRM_RETRIES": "0"}
    for argv, text in (
        (["changes", "--since", "1:1:", "--state", str(tmp_path / "w")], "not both"),
        (["changes", "--limit", "0"], "--limit"),
        (["changes", "--limit", "10001"], "--limit"),
        (["changes", "--models", "customers,orders"], "--models"),
    ):
        code, out, err = run_main(argv, base)
        assert code == errors.EXIT_USAGE, (argv, err)
        assert out == "" and text in err


def test_changes_merges_pages():
    total = {"changes": {}, "deleted": {}, "watermark": "", "more": True}
    cli._merge_changes(total, {"changes": {"complaints": [{"id": 1, "company_id": 1, "p": "0"},
                                                          {"id": 2, "company_id": 1}]},
                               "deleted": {"complaints": []}, "watermark": "a/b/1/2",
                               "more": True})
    cli._merge_changes(total, {"changes": {"complaints": [{"id": 1, "company_id": 1, "p": "3"}]},
                               "deleted": {"complaints": [2]}, "watermark": "b", "more": False})
    assert total == {"changes": {"complaints": [{"id": 1, "company_id": 1, "p": "3"}]},
                     "deleted": {"complaints": [2]}, "watermark": "b", "more": False}
