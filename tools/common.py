"""What the developer commands and the benchmarks share: prerequisites, the
Odoo configuration with the development add-on, databases (and the template
they are copied from), a server on a port, and the machine a figure was taken on.

The demo and benchmark data generator is an Odoo add-on outside ``addons/``
(``tools/addons/crm_demo_data``): only the configuration written here puts it
on the add-ons path, so it is never shipped nor installable on a production
database.
"""

import argparse
import ast
import configparser
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "odoo.conf")
# odoo.conf plus the development add-ons, written by dev_config().
DEV_CONF = os.path.join(ROOT, "var", "odoo-dev.conf")
DEV_ADDONS = os.path.join(ROOT, "tools", "addons")
MODULES = ["crm_extended", "crm_analytics"]
DEMO_MODULE = "crm_demo_data"
# A database with the modules' dependencies installed (the slow part of an
# install): the benchmarks copy it, then install the modules.
TEMPLATE = "crm_tmpl_base"
ODOO = [sys.executable, "-m", "odoo"]


class PrerequisiteError(Exception):
    """A missing prerequisite: printed as one line, exit code 2."""


def say(message, tag="dev"):
    print(f"[{tag}] {message}", flush=True)


# ----------------------------------------------------------------------------
# Prerequisites
# ----------------------------------------------------------------------------


def check_odoo():
    try:
        import odoo.release
    except ImportError:
        raise PrerequisiteError(
            "Odoo is not importable as `odoo` with this python3 "
            f"({sys.executable}): install Odoo 19.0 Community from source "
            "(see README.md, Prerequisites)."
        ) from None
    if odoo.release.series != "19.0":
        raise PrerequisiteError(
            f"Odoo {odoo.release.version} found, but these modules need Odoo 19.0 "
            "Community: install 19.0 (see README.md, Prerequisites)."
        )


def db_settings():
    parser = configparser.ConfigParser()
    parser.read(CONF)
    options = parser["options"]
    return {
        "host": os.environ.get("PGHOST") or options.get("db_host", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT") or options.get("db_port", "5432")),
        "user": os.environ.get("PGUSER") or options.get("db_user", "odoo"),
        "password": os.environ.get("PGPASSWORD") or options.get("db_password", "") or None,
    }


def pg_connect(settings, user=None, dbname="postgres"):
    import psycopg2

    return psycopg2.connect(
        host=settings["host"],
        port=settings["port"],
        user=user or settings["user"],
        password=settings["password"],
        dbname=dbname,
        connect_timeout=5,
    )


def check_postgres(settings):
    """Reach PostgreSQL with the configured role; create the role on a local
    trust-auth server when it does not exist yet."""
    import psycopg2

    if settings["user"] == "postgres":
        raise PrerequisiteError(
            "Odoo refuses to run as the PostgreSQL role 'postgres': set PGUSER to "
            "another role (default: odoo, created for you on a local server)."
        )
    where = f"{settings['host']}:{settings['port']}"
    try:
        conn = pg_connect(settings)
    except psycopg2.OperationalError as error:
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if "does not exist" in text and "role" in text:
            create_role(settings)
            conn = pg_connect(settings)
        elif "password authentication failed" in text or "no password supplied" in text:
            raise PrerequisiteError(
                f"PostgreSQL at {where} refused role {settings['user']!r} ({text}): "
                "set PGUSER/PGPASSWORD to a role that may log in and create databases."
            ) from None
        else:
            raise PrerequisiteError(
                f"PostgreSQL is not reachable at {where} ({text or error.__class__.__name__}): "
                "start it, or set PGHOST/PGPORT to where it runs."
            ) from None
    with conn, conn.cursor() as cr:
        cr.execute("SELECT rolcreatedb, rolsuper FROM pg_roles WHERE rolname = current_user")
        createdb, superuser = cr.fetchone()
    conn.close()
    if not (createdb or superuser):
        raise PrerequisiteError(
            f"PostgreSQL role {settings['user']!r} may not create databases: "
            f"run `ALTER ROLE {settings['user']} CREATEDB` as a superuser, or set PGUSER."
        )


def create_role(settings):
    import psycopg2

    superuser = os.environ.get("PG_SUPERUSER", "postgres")
    try:
        conn = pg_connect(settings, user=superuser)
    except psycopg2.OperationalError:
        raise PrerequisiteError(
            f"PostgreSQL role {settings['user']!r} does not exist and could not be "
            f"created as {superuser!r}: create it with "
            f"`createuser --createdb {settings['user']}`, or set PGUSER."
        ) from None
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(f'CREATE ROLE "{settings["user"]}" LOGIN CREATEDB')
    conn.close()
    say(f"created PostgreSQL role {settings['user']!r} (LOGIN CREATEDB)")


# ----------------------------------------------------------------------------
# Odoo and databases
# ----------------------------------------------------------------------------


def dev_config():
    """Write var/odoo-dev.conf: odoo.conf with tools/addons on the add-ons path
    (the demo data generator); returns its path."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONF)
    options = parser["options"]
    paths = [os.path.join(ROOT, path.strip())
             for path in options.get("addons_path", "addons").split(",")]
    options["addons_path"] = ",".join([*paths, DEV_ADDONS])
    os.makedirs(os.path.dirname(DEV_CONF), exist_ok=True)
    with open(DEV_CONF, "w", encoding="utf-8") as out:
        out.write("; Written by tools/common.py from odoo.conf: the development add-ons "
                  "(tools/addons) on the add-ons path. Do not edit.\n")
        parser.write(out)
    return DEV_CONF


def odoo_command(database, *args):
    return [*ODOO, "-c", dev_config(), "-d", database, *args]


def dependencies():
    """The modules' dependencies outside this repository, from their manifests."""
    depends = []
    for module in MODULES:
        with open(os.path.join(ROOT, "addons", module, "__manifest__.py"), encoding="utf-8") as f:
            depends += ast.literal_eval(f.read())["depends"]
    return [name for name in dict.fromkeys(depends) if name not in MODULES]


def database_exists(settings, name):
    conn = pg_connect(settings)
    with conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        exists = bool(cr.fetchone())
    conn.close()
    return exists


def drop_database(settings, name):
    conn = pg_connect(settings)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
        cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()
    shutil.rmtree(os.path.join(ROOT, ".odoo-data", "filestore", name), ignore_errors=True)


def install(database, modules):
    """``-i modules`` in ``database`` (created by Odoo when missing)."""
    started = time.monotonic()
    say(f"installing {', '.join(modules)} in {database!r}")
    rc = subprocess.run(
        odoo_command(database, "-i", ",".join(modules), "--stop-after-init",
                     "--log-level=warn", "--no-http"),
        cwd=ROOT,
    ).returncode
    if rc:
        raise SystemExit(f"[dev] installing {', '.join(modules)} failed (exit {rc})")
    say(f"installed in {time.monotonic() - started:.0f}s")


def ensure_template(settings, template=TEMPLATE):
    """The template database with the modules' dependencies, built when missing."""
    if not database_exists(settings, template):
        say(f"building the template database {template!r} (once)")
        install(template, dependencies())


def create_database(database, template=TEMPLATE):
    """Drop and recreate ``database`` as a copy of ``template`` (built when
    missing; None: from scratch), with both modules and the demo data generator
    installed."""
    settings = db_settings()
    if template:
        ensure_template(settings, template)
    drop_database(settings, database)
    if template:
        conn = pg_connect(settings)
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        conn.close()
        # The template's filestore (assets) goes with the copy.
        source = os.path.join(ROOT, ".odoo-data", "filestore", template)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(ROOT, ".odoo-data", "filestore", database))
    install(database, [*MODULES, DEMO_MODULE])



def bench_parser(doc, database, reuse_help="keep an existing database and its generated data"):
    """The command line of a benchmark, with the options they all have: its
    database, --reuse, the --template copied into it, --json."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--database", default=database)
    parser.add_argument("--reuse", action="store_true", help=reuse_help)
    parser.add_argument("--template", default=TEMPLATE,
                        help="the database with the dependencies installed that is copied")
    parser.add_argument("--json", help="also write the results to this file")
    return parser


def describe_database(cr, info):
    """Add the PostgreSQL and Odoo versions to a benchmark's machine ``info``."""
    import odoo.release  # after the caller imported odoo, as every benchmark does

    cr.execute("SELECT version()")
    info["postgresql"] = cr.fetchone()[0].split(" on ")[0]
    info["odoo"] = odoo.release.version

def open_registry(database, template=TEMPLATE, reuse=False):
    """Odoo configured (odoo.conf and the demo add-on) for ``database``, the
    database created from ``template`` unless ``reuse`` and it exists;
    returns its registry."""
    import odoo.tools

    if not (reuse and database_exists(db_settings(), database)):
        create_database(database, template)
    odoo.tools.config.parse_config(["-c", dev_config(), "-d", database, "--log-level=warn"])
    from odoo.modules.registry import Registry

    return Registry(database)


def vacuum(database, tables):
    """VACUUM ANALYZE ``tables`` (outside a transaction), as autovacuum does on a
    live database after bulk loads and between two daily runs."""
    conn = pg_connect(db_settings(), dbname=database)
    conn.autocommit = True
    started = time.monotonic()
    with conn.cursor() as cr:
        for table in tables:
            cr.execute(f'VACUUM ANALYZE "{table}"')
    conn.close()
    say(f"vacuum analyze of {len(tables)} tables in {time.monotonic() - started:.1f}s", "bench")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database, port, log_name, *extra):
    """``python3 -m odoo`` serving ``database`` on ``port`` (gevent port + 50, no
    cron, ``extra`` options), its log in var/``log_name``.log; returns
    (process, url) once the login page answers."""
    os.makedirs(os.path.join(ROOT, "var"), exist_ok=True)
    log_path = os.path.join(ROOT, "var", f"{log_name}.log")
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            odoo_command(database, "--http-port", str(port), "--gevent-port", str(port + 50),
                         "--db-filter", f"^{database}$", "--max-cron-threads", "0",
                         "--log-level", "warn",
                         # Refusals the benchmarks provoke on purpose are not news.
                         "--log-handler", "odoo.addons.rpc.controllers.xmlrpc:ERROR", *extra),
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


def stop_server(process):
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def make_api_key(database):
    """An API key of admin for JSON-2, made the way the web client makes one."""
    script = (
        "from datetime import timedelta\n"
        "from odoo import fields\n"
        "key = env['res.users.apikeys'].with_user(env.ref('base.user_admin'))._generate(\n"
        "    None, 'bench', fields.Datetime.now() + timedelta(days=1))\n"
        "env.cr.commit()\n"
        "print('APIKEY=' + key)\n"
    )
    out = subprocess.run(
        [*ODOO, "shell", "-c", dev_config(), "-d", database, "--log-level", "warn"],
        input=script, capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout
    return next(line[7:].strip() for line in out.splitlines() if line.startswith("APIKEY="))


# ----------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------


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


def timed(results, name, rows_label, function):
    """Run ``function`` (it returns a row count), print and append its figures."""
    started = time.monotonic()
    rows = function()
    seconds = time.monotonic() - started
    rate = rows / seconds if seconds and rows else 0
    results.append({"step": name, "seconds": round(seconds, 3), "rows": rows,
                    "rows_label": rows_label, "rows_per_second": round(rate)})
    say(f"{name}: {seconds:.2f}s, {rows} {rows_label}, {rate:,.0f} {rows_label}/s", "bench")
    return rows
