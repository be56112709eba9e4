"""Settings precedence: flag > environment > config file."""

import pytest
from crm_client import errors
from crm_client.config import load_settings

FILE = """\
[default]
url = http://file:8069
db = file_db
login = file_login
password = file_password
timeout = 30

[staging]
url = http://staging:8069
db = staging_db
api_key = staging_key
"""


@pytest.fixture
def config_home(tmp_path):
    (tmp_path / "crm-client.ini").write_text(FILE, encoding="utf-8")
    return {"XDG_CONFIG_HOME": str(tmp_path)}


def test_file_alone(config_home):
    settings = load_settings({}, config_home)
    assert (settings.url, settings.db, settings.login, settings.password) == (
        "http://file:8069", "file_db", "file_login", "file_password",
    )
    assert settings.timeout == 30.0
    assert settings.transport == "xmlrpc"
    assert settings.config_path.endswith("crm-client.ini")


def test_environment_beats_file(config_home):
    environ = dict(config_home, CRM_DB="env_db", CRM_LOGIN="env_login")
    settings = load_settings({}, environ)
    assert settings.db == "env_db"
    assert settings.login == "env_login"
    assert settings.url == "http://file:8069"  # not in the environment: from the file


def test_flag_beats_environment_and_file(config_home):
    environ = dict(config_home, CRM_DB="env_db", CRM_URL="http://env:1")
    settings = load_settings({"db": "flag_db", "url": None, "timeout": 5.0}, environ)
    assert settings.db == "flag_db"
    assert settings.url == "http://env:1"  # flag not given (None): environment
    assert settings.timeout == 5.0


def test_profile_and_transport_from_api_key(config_home):
    settings = load_settings({"profile": "staging"}, config_home)
    assert settings.db == "staging_db"
    assert settings.api_key == "staging_key"
    assert settings.transport == "json2"  # an API key and no password
    forced = load_settings({"profile": "staging", "transport": "xmlrpc"}, config_home)
    assert forced.transport == "xmlrpc"


def test_explicit_config_file(tmp_path):
    path = tmp_path / "other.ini"
    path.write_text("[default]\nurl = http://other:1\ndb = other\n", encoding="utf-8")
    settings = load_settings({"config": str(path)}, {"XDG_CONFIG_HOME": str(tmp_path / "none")})
    assert (settings.url, settings.db) == ("http://other:1", "other")
    via_env = load_settings({}, {"CRM_CONFIG": str(path)})
    assert via_env.db == "other"


def test_missing_default_file_is_fine(tmp_path):
    settings = load_settings({"url": "http://x:1"}, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert settings.url == "http://x:1"
    assert settings.db is None


@pytest.mark.parametrize(
    ("flags", "file_text", "message"),
    [
        ({"config": "/nonexistent/crm.ini"}, None, "does not exist"),
        ({"profile": "prod"}, FILE, "no [prod] section"),
        ({}, "[default]\nurl = http://x\ncolour = red\n", "unknown key(s) colour"),
        ({}, "[default]\nretries = many\n", "retries must be a number"),
        ({"transport": "soap"}, FILE, "Unknown transport 'soap'"),
        ({"retry_delay": "-1"}, FILE, "must not be negative"),
    ],
)
def test_bad_settings_are_usage_errors(tmp_path, flags, file_text, message):
    if file_text is not None:
        (tmp_path / "crm-client.ini").write_text(file_text, encoding="utf-8")
    with pytest.raises(errors.UsageError) as error:
        load_settings(flags, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert message in str(error.value)
    assert error.value.exit_code == errors.EXIT_USAGE


def test_json2_whenever_there_is_an_api_key(config_home):
    """An API key wins over a password: JSON-2, no fallback note."""
    environ = dict(config_home, CRM_API_KEY="env_key")
    settings = load_settings({}, environ)
    assert settings.password == "file_password"
    assert (settings.transport, settings.xmlrpc_fallback) == ("json2", False)


def test_password_only_falls_back_to_xmlrpc(config_home):
    settings = load_settings({}, config_home)
    assert (settings.transport, settings.xmlrpc_fallback) == ("xmlrpc", True)
    # Asked for by name: no fallback, no note.
    forced = load_settings({"transport": "xmlrpc"}, config_home)
    assert (forced.transport, forced.xmlrpc_fallback) == ("xmlrpc", False)


def test_fallback_is_not_a_config_key(tmp_path):
    (tmp_path / "crm-client.ini").write_text("[default]\nxmlrpc_fallback = 0\n", encoding="utf-8")
    with pytest.raises(errors.UsageError, match="unknown key"):
        load_settings({}, {"XDG_CONFIG_HOME": str(tmp_path)})
