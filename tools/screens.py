#!/usr/bin/env python3
"""Screenshots of the main screens, per role and language, as a person sees them.

Against a running server (e.g. the demo of ``tools/dev.py run``), headless
Chromium at 1440x900 opens each screen as a CRM manager (admin), a salesperson
and a portal customer, in English and in Simplified Chinese, and saves one PNG
per screen in ``var/screens/<lang>/<role>-<screen>.png``::

    python3 -m tools.screens --url http://localhost:8069 --db crm_demo
    python3 tools/screens.py --url http://localhost:8069 --db crm_demo   # the same

The salesperson and the portal customer are created on the first run (logins
``screens_sales`` and ``screens_portal``, linked to the first customer that has
a complaint); the languages of the three users are switched for each pass and
set back to English at the end. Needs only Chromium and the Python packages of
Odoo itself (requests, websocket-client): it talks to the server over HTTP.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1440, 900
USERS = {
    "sales": ("screens_sales", "Screens Salesperson", "sales_team.group_sale_salesman"),
    "portal": ("screens_portal", "Screens Portal Customer", "base.group_portal"),
}


class Odoo:
    """JSON-RPC as one user, with that user's session cookie."""

    def __init__(self, url, db):
        self.url, self.db = url.rstrip("/"), db
        self.http = requests.Session()

    def login(self, login, password):
        self.http = requests.Session()
        self._post("/web/session/authenticate",
                   {"db": self.db, "login": login, "password": password})
        return self.http.cookies.get("session_id")

    def _post(self, path, params):
        response = self.http.post(self.url + path, json={
            "jsonrpc": "2.0", "method": "call", "params": params}, timeout=120)
        response.raise_for_status()
        answer = response.json()
        if answer.get("error"):
            raise SystemExit(f"[screens] {path}: {answer['error']['data'].get('message')}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call("ir.model.data", "search_read",
                         [("module", "=", module), ("name", "=", name)], ["res_id"])
        return rows[0]["res_id"] if rows else False


def prepare(admin, password):
    """The users of each role, zh_CN installed; returns the records to show."""
    if not admin.call("res.lang", "search", [("code", "=", "zh_CN"), ("active", "=", True)]):
        print("[screens] installing Simplified Chinese")
        wizard = admin.call("base.language.install", "create",
                            {"lang_ids": [admin.call("res.lang", "search",
                                                     [("code", "=", "zh_CN"),
                                                      ("active", "=", False)])[0]]})
        admin.call("base.language.install", "lang_install", [wizard])
    complaint = admin.call("crm.complaint", "search_read", [("partner_id", "!=", False)],
                           ["partner_id", "commercial_partner_id"], limit=1,
                           order="id desc")
    if not complaint:
        raise SystemExit("[screens] no complaint in this database: run the demo first")
    complaint = complaint[0]
    customer_id = complaint["commercial_partner_id"][0]
    scored = admin.call("crm.customer.score", "search_read", [], ["partner_id"], limit=1,
                        order="value_score desc")
    contract = admin.call("crm.service.contract", "search", [("state", "!=", "draft")], limit=1)
    # A forecast back-test with its defaults (a past date and the horizon),
    # run once: the report screens need its figures.
    backtest = admin.call("crm.score.backtest", "search", [("run_at", "!=", False)], limit=1)
    if not backtest:
        backtest = [admin.call("crm.score.backtest", "create", {"name": "Screens"})]
        admin.call("crm.score.backtest", "action_run", backtest)
    users = {}
    for role, (login, name, group) in USERS.items():
        found = admin.call("res.users", "search", [("login", "=", login)])
        if found:
            users[role] = found[0]
            continue
        vals = {"login": login, "name": name, "password": login,
                "group_ids": [(6, 0, [admin.ref(group)])]}
        if role == "portal":
            # A contact of the customer: the portal shows that company's complaints.
            contact = admin.call("res.partner", "create", {
                "name": name, "parent_id": customer_id, "email": f"{login}@example.com"})
            vals["partner_id"] = contact
        users[role] = admin.call("res.users", "create", vals)
    sales = admin.call("res.users", "search", [("login", "=", USERS["sales"][0])])
    # The salesperson sees the complaints of the team they work in.
    team = admin.call("crm.complaint", "read", [complaint["id"]], ["team_id"])[0]["team_id"]
    if team:
        admin.call("crm.complaint.team", "write", [team[0]], {"member_ids": [(4, sales[0])]})
    return {
        "complaint": complaint["id"],
        "customer": scored[0]["partner_id"][0] if scored else customer_id,
        "contract": contract[0] if contract else False,
        "backtest": backtest[0],
        "users": users,
    }


def screens(records):
    """(role, name, path, script) of every screen to capture; the script (or
    None) runs once the page is drawn, e.g. to open a tab."""
    complaint, customer = records["complaint"], records["customer"]
    backtest = f"/odoo/action-crm_analytics.crm_score_backtest_action/{records['backtest']}"

    def click(button):
        # Buttons that only open a form: nothing is saved by the screenshot.
        return f"document.querySelector('button[name={button}]').click()"

    # The value score block is on the Customer 360 page, the one that opens.
    score_tab = ("document.querySelector('.o_field_widget[name=crm_value_score]')"
                 ".scrollIntoView({block: 'center'})")
    # A graph's tooltip: the pointer over the middle of the chart.
    hover_chart = ("const canvas = document.querySelector('.o_graph_renderer canvas'); "
                   "const box = canvas.getBoundingClientRect(); "
                   "canvas.dispatchEvent(new MouseEvent('mousemove', {bubbles: true, "
                   "clientX: box.left + box.width * 0.3, clientY: box.top + box.height * 0.85}))")
    erp_tab = "document.querySelector('a[name=links]').click()"
    shots = [
        ("admin", "complaints", "/odoo/action-crm_extended.crm_complaint_action", None),
        ("admin", "complaint", f"/odoo/action-crm_extended.crm_complaint_action/{complaint}",
         None),
        ("admin", "complaint-order-product",
         f"/odoo/action-crm_extended.crm_complaint_action/{complaint}", erp_tab),
        ("admin", "complaint-replacement",
         f"/odoo/action-crm_extended.crm_complaint_action/{complaint}",
         click("action_crm_replacement")),
        ("admin", "complaint-plan-visit",
         f"/odoo/action-crm_extended.crm_complaint_action/{complaint}",
         click("action_crm_create_visit")),
        ("admin", "customer", f"/odoo/contacts/{customer}", None),
        ("admin", "customer-score", f"/odoo/contacts/{customer}", score_tab),
        ("admin", "scores", "/odoo/action-crm_analytics.crm_customer_score_action", None),
        *[("admin", f"report-{name.replace('_', '-')}",
           f"/odoo/action-crm_analytics.crm_{name}_action", None)
          for name in ("classification_report", "rfm_report", "pareto_report",
                       "customer_equity_report", "lifecycle_flow_report", "cohort_report",
                       "contract_report", "complaint_report")],
        *[("admin", f"report-{name.replace('_', '-')}-graph",
           f"/odoo/action-crm_analytics.crm_{name}_action?view_type=graph", hover_chart)
          for name in ("pareto_report", "cohort_report")],
        ("admin", "backtests", "/odoo/action-crm_analytics.crm_score_backtest_action", None),
        ("admin", "backtest", backtest, None),
        ("admin", "backtest-report", backtest, click("action_open_report")),
        ("sales", "complaints", "/odoo/action-crm_extended.crm_complaint_action", None),
        ("sales", "customer-score", f"/odoo/contacts/{customer}", score_tab),
        ("portal", "complaints", "/my/complaints", None),
        ("portal", "complaint-new", "/my/complaints/new", None),
        ("portal", "complaint", f"/my/complaints/{complaint}", None),
    ]
    if records["contract"]:
        contract = (f"/odoo/action-crm_extended.crm_service_contract_action/"
                    f"{records['contract']}")
        renew = ("document.querySelector(\"button[name=action_open_renew_wizard]"
                 ":not(.d-none)\").click()")
        shots[8:8] = [("admin", "contract", contract, None),
                      ("admin", "contract-renew", contract, renew)]
    return shots


class Chromium:
    """Headless Chromium driven over the DevTools protocol."""

    def __init__(self, port):
        binary = shutil.which("chromium") or shutil.which("chromium-browser") \
            or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("[screens] Chromium is not installed")
        self.profile = tempfile.mkdtemp(prefix="screens-chromium-")
        self.process = subprocess.Popen([
            binary, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", f"--remote-debugging-port={port}",
            f"--user-data-dir={self.profile}", f"--window-size={WIDTH},{HEIGHT}",
            "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = None
        for _attempt in range(100):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                target = next(t for t in targets if t["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                time.sleep(0.2)
        if not target:
            self.close()
            raise SystemExit("[screens] Chromium did not start")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def shoot(self, url, session_id, target, script=None):
        self.send("Network.clearBrowserCookies")
        self.send("Network.setCookie", name="session_id", value=session_id, url=url)
        self.send("Page.navigate", url=url)
        # Ready: the web client drew its view (or the portal its page) and is
        # not loading any more; bounded wait.
        ready = ("document.readyState === 'complete' && "
                 "!!document.querySelector('.o_view_controller, .o_portal_wrap, #wrap') && "
                 "!document.querySelector('.o_loading_indicator, .o-main-components-container "
                 ".o_loading')")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.evaluate(ready):
            time.sleep(0.3)
        time.sleep(1.5)  # fonts, charts and the chatter settle
        if script:
            self.evaluate(f"try {{ {script}; true }} catch (e) {{ false }}")
            time.sleep(3)  # the dialog or form it opens is drawn
        data = self.send("Page.captureScreenshot", format="png")["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        if script:
            # The web client saves a changed form when the page is left: discard
            # what the script opened (a dialog, a new record) so that taking
            # screenshots writes nothing.
            self.evaluate("document.querySelectorAll('.modal .o_form_button_cancel, "
                          ".o_form_button_cancel').forEach(button => button.click())")
            time.sleep(2)

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="crm_demo")
    parser.add_argument("--password", default="admin", help="the admin's password")
    parser.add_argument("--langs", default="en_US,zh_CN")
    parser.add_argument("--out", default=str(ROOT / "var" / "screens"))
    parser.add_argument("--debug-port", type=int, default=9333)
    args = parser.parse_args(argv)

    admin = Odoo(args.url, args.db)
    if not admin.login("admin", args.password):
        raise SystemExit("[screens] the admin could not log in")
    records = prepare(admin, args.password)
    user_ids = {"admin": admin.ref("base.user_admin"), **records["users"]}
    logins = {"admin": ("admin", args.password),
              **{role: (login, login) for role, (login, _n, _g) in USERS.items()}}
    browser = Chromium(args.debug_port)
    written = []
    try:
        for lang in args.langs.split(","):
            admin.call("res.users", "write", list(user_ids.values()), {"lang": lang})
            sessions = {}
            for role, (login, password) in logins.items():
                sessions[role] = Odoo(args.url, args.db).login(login, password)
            for role, name, path, script in screens(records):
                target = Path(args.out) / lang / f"{role}-{name}.png"
                browser.shoot(args.url.rstrip("/") + path, sessions[role], target, script)
                written.append(target)
                print(f"[screens] {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    finally:
        browser.close()
        admin.call("res.users", "write", list(user_ids.values()), {"lang": "en_US"})
    print(f"[screens] {len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
