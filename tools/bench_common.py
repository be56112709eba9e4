"""What the benchmark scripts share: output, the machine they ran on, and a
database with both modules installed (optionally copied from a template).

The scripts run as ``python3 tools/bench_<feature>.py``, so this module is
importable from their own folder."""

import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "odoo.conf")
MODULES = "crm_extended,crm_analytics"


def say(message):
    print(f"[bench] {message}", flush=True)


def machine():
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            total_kb = int(meminfo.readline().split()[1])
            info["memory_gb"] = round(total_kb / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout)
    except (OSError, ValueError):
        info["nproc"] = os.cpu_count()
    return info


def database_exists(database):
    import odoo.sql_db  # noqa: PLC0415

    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return bool(cr.fetchone())


def create_database(database, template):
    """Drop and recreate ``database`` with both modules installed."""
    import psycopg2  # noqa: PLC0415  (installed with Odoo)
    from odoo.tools import config  # noqa: PLC0415

    conn = psycopg2.connect(
        host=config["db_host"] or None, port=config["db_port"] or None,
        user=config["db_user"] or None, password=config["db_password"] or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        )
        cr.execute(f'DROP DATABASE IF EXISTS "{database}"')
        if template:
            cr.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    conn.close()
    say(f"installing {MODULES} in {database!r}" + (f" (from {template!r})" if template else ""))
    started = time.monotonic()
    rc = subprocess.run(
        [sys.executable, "-m", "odoo", "-c", CONF, "-d", database, "-i", MODULES,
         "--stop-after-init", "--log-level=warn", "--no-http"],
        cwd=ROOT,
    ).returncode
    if rc:
        raise SystemExit(f"[bench] installing the modules failed (exit {rc})")
    say(f"installed in {time.monotonic() - started:.0f}s")


def start_server(database, port, log_name):
    """``python3 -m odoo`` serving ``database`` on ``port`` (gevent port + 50, no
    cron), its log in var/``log_name``.log; returns (process, url) once the
    login page answers."""
    import urllib.request  # noqa: PLC0415

    os.makedirs(os.path.join(ROOT, "var"), exist_ok=True)
    log_path = os.path.join(ROOT, "var", f"{log_name}.log")
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "odoo", "-c", CONF, "-d", database, "--http-port", str(port),
         "--gevent-port", str(port + 50), "--db-filter", f"^{database}$",
         "--max-cron-threads", "0", "--log-level", "warn",
         # Refusals the benchmark provokes on purpose are not news.
         "--log-handler", "odoo.addons.rpc.controllers.xmlrpc:ERROR"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"[bench] the server exited, see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/web/login", timeout=60):
                return process, url
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("[bench] the server did not start")


def open_database(database, template=None, reuse=False):
    """Odoo configured from odoo.conf for ``database``, the database created
    (from ``template``, with both modules) unless ``reuse`` and it exists;
    returns its registry."""
    import odoo.tools  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", CONF, "-d", database, "--log-level=warn"])
    from odoo.modules.registry import Registry  # noqa: PLC0415

    if not (reuse and database_exists(database)):
        create_database(database, template)
    return Registry(database)
