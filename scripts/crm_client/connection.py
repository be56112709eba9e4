"""One connection layer, two transports: XML-RPC and Odoo 19's JSON-2 API.

Both speak to the ORM with the same call: ``connection.call(model, method, ids,
**kwargs)``. ``ids`` is given for record methods (``read``, ``write``,
``action_confirm``) and left out for model methods (``search_read``, ``create``,
``crm_recompute_classification``).

- XML-RPC: ``/xmlrpc/2/common`` ``authenticate`` once, then ``/xmlrpc/2/object``
  ``execute_kw(db, uid, password, model, method, args, kwargs)``. Deprecated in Odoo
  19 and removed in 20, kept for older tooling. The password may be an API key.
- JSON-2: ``POST /json/2/<model>/<method>`` with ``Authorization: bearer <key>``,
  ``X-Odoo-Database: <db>`` and the named arguments as a JSON object, ``ids`` and
  ``context`` included (addons/rpc/controllers/json2.py).

Requests that fail on the network (refused or reset connection, 502/503/504) are
retried with exponential back-off; a fault or error answer never is.
"""

import http.client
import json
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass

from . import errors

USER_AGENT = "crm-client/1.0 (+python urllib)"


@dataclass
class RetryPolicy:
    """``retries`` extra attempts after the first one, waiting ``delay`` seconds,
    then twice as long each time, at most ``max_delay``."""

    retries: int = 3
    delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 8.0

    def delays(self):
        wait = self.delay
        for _attempt in range(self.retries):
            yield min(wait, self.max_delay)
            wait *= self.factor


# Calls that change nothing on the server: safe to send again after a 502/503/504
# or a reset connection. Anything else may already be running on the server (a
# proxy's 504 often means Odoo is still working), so it is retried only when the
# connection was refused, i.e. the request never arrived.
READ_ONLY_METHODS = frozenset({
    "version", "authenticate", "context_get", "search", "search_read", "search_count",
    "read", "fields_get", "name_search", "formatted_read_group", "web_search_read",
    "search_fetch", "check_access",
    "crm_api_customer_summary", "crm_api_read_scores", "crm_api_segment_export",
    "crm_api_changes",
})


class HttpClient:
    """POST/GET with the retry policy; returns (status, content type, body) of any
    answer that is not transient, raises ServerUnreachable when retries run out."""

    def __init__(self, base_url, timeout=60.0, retry=None, sleep=time.sleep):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep or time.sleep
        self.attempts = 0  # of the last request, for messages and tests

    def request(self, path, body=None, headers=None, method=None, idempotent=True):
        url = self.base_url + path
        delays = self.retry.delays()
        self.attempts = 0
        while True:
            self.attempts += 1
            try:
                return self._once(url, body, headers or {}, method)
            except Exception as exc:
                if errors.is_transient(exc) and not idempotent and not errors.never_arrived(exc):
                    raise errors.error_from_network(exc, self.base_url, self.attempts) from None
                if not errors.is_transient(exc):
                    if isinstance(exc, OSError | urllib.error.URLError):
                        raise errors.error_from_network(exc, self.base_url, self.attempts) from None
                    if isinstance(exc, http.client.HTTPException):
                        raise errors.ServerError(
                            f"{self.base_url} did not answer in HTTP ({exc.__class__.__name__})."
                        ) from None
                    raise
                wait = next(delays, None)
                if wait is None:
                    raise errors.error_from_network(exc, self.base_url, self.attempts) from None
                self.sleep(wait)

    def _once(self, url, body, headers, method):
        request = urllib.request.Request(
            url, data=body, headers={"User-Agent": USER_AGENT, **headers}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            if error.code in errors.TRANSIENT_HTTP_STATUS:
                raise errors.TransientHTTPError(error.code, error.reason) from None
            with error:
                return error.code, error.headers.get("Content-Type", ""), error.read()


class XmlRpcTransport:
    name = "xmlrpc"

    def __init__(self, http, db, login, password):
        self.http = http
        self.db = db
        self.login = login
        self.password = password
        self._uid = None

    def _rpc(self, service, method, params, idempotent=True):
        body = xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode()
        status, _ctype, data = self.http.request(
            f"/xmlrpc/2/{service}", body, {"Content-Type": "text/xml"}, idempotent=idempotent
        )
        if status != 200:
            raise errors.ServerError(
                f"The server has no XML-RPC endpoint at {self.http.base_url}/xmlrpc/2 "
                f"(HTTP {status}): is this an Odoo server, and is --url right?"
            )
        try:
            result, _method = xmlrpc.client.loads(data, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            raise errors.error_from_fault(fault, self.db, self.login) from None
        except Exception:  # any parse error means "not XML-RPC"
            raise errors.ServerError(
                f"The answer of {self.http.base_url}/xmlrpc/2/{service} is not XML-RPC."
            ) from None
        return result[0]

    def version(self):
        return self._rpc("common", "version", [])

    @property
    def uid(self):
        if self._uid is None:
            if not self.login or not self.password:
                raise errors.UsageError(
                    "XML-RPC needs a login and a password or API key "
                    "(--login/--password, CRM_LOGIN/CRM_PASSWORD or the config file)."
                )
            uid = self._rpc("common", "authenticate", [self.db, self.login, self.password, {}])
            if not uid:
                raise errors.authentication_error(self.db, self.login)
            self._uid = uid
        return self._uid

    def call(self, model, method, ids=None, **kwargs):
        args = [list(ids)] if ids is not None else []
        if method == "create" and "vals_list" in kwargs:
            # Odoo's execute_kw looks at the first positional argument of create.
            args.append(kwargs.pop("vals_list"))
        return self._rpc(
            "object", "execute_kw",
            [self.db, self.uid, self.password, model, method, args, kwargs],
            idempotent=method in READ_ONLY_METHODS,
        )


class Json2Transport:
    name = "json2"

    def __init__(self, http, db, api_key):
        self.http = http
        self.db = db
        self.api_key = api_key
        self._uid = None

    def version(self):
        status, ctype, data = self.http.request("/web/version", method="GET")
        if status != 200 or "json" not in ctype:
            raise errors.ServerError(
                f"{self.http.base_url}/web/version did not answer (HTTP {status}): "
                "is this an Odoo server, and is --url right?"
            )
        info = json.loads(data)
        return {"server_version": info.get("version"), "server_version_info": info.get("version_info")}

    @property
    def uid(self):
        if self._uid is None:
            self._uid = self.call("res.users", "context_get")["uid"]
        return self._uid

    def call(self, model, method, ids=None, **kwargs):
        if not self.api_key:
            raise errors.UsageError(
                "JSON-2 needs an API key (--api-key, CRM_API_KEY or the config file): "
                "create one in Odoo under Preferences > Account Security."
            )
        payload = dict(kwargs)
        if ids is not None:
            payload["ids"] = list(ids)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"bearer {self.api_key}",
            "X-Odoo-Database": self.db,
        }
        body = json.dumps(payload).encode()
        status, ctype, data = self.http.request(
            f"/json/2/{model}/{method}", body, headers, idempotent=method in READ_ONLY_METHODS
        )
        if status != 200:
            raise errors.error_from_json2(status, ctype, data, self.db)
        try:
            return json.loads(data)
        except ValueError:
            raise errors.ServerError(f"The answer of /json/2/{model}/{method} is not JSON.") from None


class Connection:
    """The client's single entry point to the server, whatever the transport."""

    def __init__(self, url, db, login=None, password=None, api_key=None,
                 transport="xmlrpc", timeout=60.0, retry=None, sleep=time.sleep):
        if not url:
            raise errors.UsageError("No server URL: give --url, CRM_URL or url= in the config file.")
        if not db:
            raise errors.UsageError("No database: give --db, CRM_DB or db= in the config file.")
        if not url.startswith(("http://", "https://")):
            raise errors.UsageError(f"The URL {url!r} must start with http:// or https://.")
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self.http = HttpClient(self.url, timeout=timeout, retry=retry, sleep=sleep)
        if transport == "xmlrpc":
            # An API key is accepted as password by /xmlrpc/2 as well.
            self.transport = XmlRpcTransport(self.http, db, login, password or api_key)
        elif transport == "json2":
            self.transport = Json2Transport(self.http, db, api_key)
        else:
            raise errors.UsageError(f"Unknown transport {transport!r}: use xmlrpc or json2.")

    @classmethod
    def from_settings(cls, settings, **extra):
        return cls(
            settings.url, settings.db, login=settings.login, password=settings.password,
            api_key=settings.api_key, transport=settings.transport, timeout=settings.timeout,
            retry=RetryPolicy(retries=settings.retries, delay=settings.retry_delay), **extra,
        )

    @property
    def transport_name(self):
        return self.transport.name

    @property
    def uid(self):
        return self.transport.uid

    def version(self):
        return self.transport.version()

    def call(self, model, method, ids=None, **kwargs):
        return self.transport.call(model, method, ids, **kwargs)

    # Thin helpers over the ORM's public methods ------------------------------

    def search_read(self, model, domain, fields, limit=None, order=None, offset=0):
        kwargs = {"domain": domain, "fields": fields}
        if limit:
            kwargs["limit"] = limit
        if order:
            kwargs["order"] = order
        if offset:
            kwargs["offset"] = offset
        return self.call(model, "search_read", **kwargs)

    def search(self, model, domain, limit=None, order=None):
        kwargs = {"domain": domain}
        if limit:
            kwargs["limit"] = limit
        if order:
            kwargs["order"] = order
        return self.call(model, "search", **kwargs)

    def search_count(self, model, domain):
        return self.call(model, "search_count", domain=domain)

    def read(self, model, ids, fields):
        return self.call(model, "read", ids, fields=fields)

    def create(self, model, vals):
        """Create one record and return its id."""
        result = self.call(model, "create", vals_list=[vals])
        return result[0] if isinstance(result, list) else result

    def write(self, model, ids, vals):
        return self.call(model, "write", ids, vals=vals)

    def fields_get(self, model, fields, attributes=("string", "type", "selection")):
        return self.call(model, "fields_get", allfields=list(fields), attributes=list(attributes))
