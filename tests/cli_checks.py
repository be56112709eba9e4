"""Checks on a finished `crm-client` run, shared by the live-server CLI tests."""

import json


def as_json(process):
    """The JSON the command printed (it may have failed: imports report row errors)."""
    assert process.stdout, process.stderr
    return json.loads(process.stdout)


def ok_json(process):
    """The JSON of a command that succeeded."""
    assert process.returncode == 0, (process.returncode, process.stdout, process.stderr)
    return json.loads(process.stdout)


def assert_clean_failure(process, exit_code, text):
    """Failed with the documented exit code and one readable line, no traceback."""
    assert process.returncode == exit_code, (process.returncode, process.stdout, process.stderr)
    assert process.stdout == ""
    assert process.stderr.startswith("error: ")
    assert text in process.stderr, process.stderr
    assert "Traceback" not in process.stderr
