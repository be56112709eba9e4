"""Settings: command-line flags, then environment variables, then a config file.

The config file is INI, one section per profile (``[default]`` unless --profile or
CRM_PROFILE says otherwise)::

    [default]
    url = https://odoo.example.com
    db = production
    login = jane@example.com
    api_key = 0123abcd...

It is read from --config, else CRM_CONFIG, else ``$XDG_CONFIG_HOME/crm-client.ini``
(``~/.config/crm-client.ini``). A missing default file is fine; a missing file that
was named explicitly is an error.
"""

import configparser
import os
from dataclasses import dataclass, fields

from . import errors

ENV_VARS = {
    "url": "CRM_URL",
    "db": "CRM_DB",
    "login": "CRM_LOGIN",
    "password": "CRM_PASSWORD",
    "api_key": "CRM_API_KEY",
    "transport": "CRM_TRANSPORT",
    "timeout": "CRM_TIMEOUT",
    "retries": "CRM_RETRIES",
    "retry_delay": "CRM_RETRY_DELAY",
}
TRANSPORTS = ("xmlrpc", "json2")


@dataclass
class Settings:
    url: str | None = None
    db: str | None = None
    login: str | None = None
    password: str | None = None
    api_key: str | None = None
    # None means: json2 when there is an API key, else xmlrpc (deprecated in Odoo 19).
    transport: str | None = None
    timeout: float = 60.0
    retries: int = 3
    retry_delay: float = 0.5
    config_path: str | None = None
    # True when no transport was asked for and there is no API key: the client
    # falls back to /xmlrpc and says once how to get an API key.
    xmlrpc_fallback: bool = False

    def resolved_transport(self):
        if self.transport:
            return self.transport
        return "json2" if self.api_key else "xmlrpc"


def default_config_path(environ):
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "crm-client.ini")


def read_config_file(path, profile, explicit_path=False, explicit_profile=False):
    if not os.path.exists(path):
        if explicit_path or explicit_profile:
            raise errors.UsageError(f"Config file {path} does not exist.")
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise errors.UsageError(f"Config file {path} cannot be read: {error}") from None
    if not parser.has_section(profile):
        if explicit_profile:
            raise errors.UsageError(
                f"Config file {path} has no [{profile}] section "
                f"(sections: {', '.join(parser.sections()) or 'none'})."
            )
        return {}
    known = {f.name for f in fields(Settings)} - {"config_path", "xmlrpc_fallback"}
    values = dict(parser.items(profile))
    unknown = sorted(set(values) - known)
    if unknown:
        raise errors.UsageError(
            f"Config file {path}, section [{profile}]: unknown key(s) {', '.join(unknown)}."
        )
    return values


def _convert(name, value, source):
    try:
        if name in ("timeout", "retry_delay"):
            number = float(value)
        elif name == "retries":
            number = int(value)
        else:
            return value
    except (TypeError, ValueError):
        raise errors.UsageError(f"{source}: {name} must be a number, not {value!r}.") from None
    if number < 0:
        raise errors.UsageError(f"{source}: {name} must not be negative.")
    return number


def load_settings(flags=None, environ=None):
    """Merge the three sources, flag > environment > file. ``flags`` maps setting
    names to values given on the command line (None or absent: not given), plus
    optional ``config`` and ``profile``."""
    flags = dict(flags or {})
    environ = os.environ if environ is None else environ
    explicit_path = flags.get("config") or environ.get("CRM_CONFIG")
    path = explicit_path or default_config_path(environ)
    profile = flags.get("profile") or environ.get("CRM_PROFILE") or "default"
    file_values = read_config_file(
        path, profile,
        explicit_path=bool(explicit_path),
        explicit_profile=bool(flags.get("profile") or environ.get("CRM_PROFILE")),
    )

    settings = Settings(config_path=path if file_values else None)
    for name, env_var in ENV_VARS.items():
        if flags.get(name) not in (None, ""):
            value, source = flags[name], f"--{name.replace('_', '-')}"
        elif environ.get(env_var):
            value, source = environ[env_var], env_var
        elif file_values.get(name):
            value, source = file_values[name], f"{path} [{profile}]"
        else:
            continue
        setattr(settings, name, _convert(name, value, source))
    if settings.transport and settings.transport not in TRANSPORTS:
        raise errors.UsageError(
            f"Unknown transport {settings.transport!r}: use {' or '.join(TRANSPORTS)}."
        )
    settings.xmlrpc_fallback = not settings.transport and not settings.api_key
    settings.transport = settings.resolved_transport()
    return settings
