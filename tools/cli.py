"""The developer commands behind ``python3 tools/dev.py``: set up and run the demo
server, run the whole test suite, or run a benchmark.

    python3 tools/dev.py run          # requirements, demo database, server on localhost
    python3 tools/dev.py test         # the linters, then a fresh database, all module tests, pytest
    python3 tools/dev.py lint         # the linters alone (pre-commit over every file)
    python3 tools/dev.py bench NAME   # one benchmark of tools/bench/ (see docs/BENCHMARKS.md)

Odoo 19.0 and PostgreSQL are prerequisites (see README.md). Every missing
prerequisite ends with a one-line error that says how to fix it, never a traceback.
Database settings come from odoo.conf and are overridden by PGHOST, PGPORT,
PGUSER and PGPASSWORD.
"""

import argparse
import datetime
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time

from tools import bench
from tools.common import (
    DEMO_MODULE,
    MODULES,
    ODOO,
    ROOT,
    PrerequisiteError,
    check_odoo,
    check_postgres,
    db_settings,
    dev_config,
    drop_database,
    free_port,
    odoo_command,
    say,
)

# The test database also gets Email Marketing: crm_analytics adds segments to
# mailing lists when mass_mailing is installed (without depending on it), and
# its tests cover that path.
TEST_EXTRA_MODULES = ["mass_mailing"]
# The modules whose tests run, and whose warnings in the log are defects.
TESTED_MODULES = [*MODULES, DEMO_MODULE]
DEMO_LANGUAGE = "zh_CN"


def pip_install(*requirement_files):
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for name in requirement_files:
        command += ["-r", os.path.join(ROOT, name)]
    say("installing Python requirements: " + ", ".join(requirement_files))
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise PrerequisiteError(f"pip could not install {', '.join(requirement_files)}: {last}")


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check_browser():
    """Odoo silently skips browser tests without Chromium and websocket-client:
    install Chromium when we can (root on Debian), else stop with the fix."""
    if not chromium_path():
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say("installing Debian's chromium for the browser tests")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True
            )
        if not chromium_path():
            raise PrerequisiteError(
                "Chromium is missing, and the browser tests need it: "
                "`sudo apt-get install chromium` (Debian/Ubuntu)."
            )
    try:
        import websocket  # noqa: F401  (a prerequisite: checked, not assumed)
    except ImportError:
        raise PrerequisiteError(
            "websocket-client is missing, and the browser tests need it: "
            "`pip install -r requirements-test.txt`."
        ) from None


def run_logged(command, log_path, env=None):
    """Run a command, stream its output, keep a copy; return (rc, text)."""
    lines = []
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
            lines.append(line)
        rc = process.wait()
    return rc, "".join(lines)


# ----------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------


def cmd_run(args):
    check_odoo()
    settings = db_settings()
    check_postgres(settings)
    if not args.no_pip:
        pip_install("requirements.txt")
    database = args.database
    if not re.fullmatch(r"crm_demo\w*", database) and not args.force:
        raise PrerequisiteError(
            f"`run` drops and recreates the database {database!r}: use a name that starts "
            "with crm_demo, or add --force if that is really what you want."
        )
    say(f"(re)creating demo database {database!r} with {', '.join(MODULES)} "
        f"and the demo data generator ({DEMO_MODULE})")
    drop_database(settings, database)
    rc = subprocess.run(
        odoo_command(
            database, "-i", ",".join([*MODULES, DEMO_MODULE]), "--stop-after-init",
            "--log-level=warn",
        ),
        cwd=ROOT,
    ).returncode
    if rc:
        raise SystemExit(f"[dev] installing the modules failed (exit {rc})")
    say(f"generating demo data: {args.customers} customers (Simplified Chinese loaded)")
    # Chinese first, without making it the default: the demo's own records get
    # their Chinese names, and a user who switches to it reads everything in it.
    code = (
        "from odoo import Command\n"
        f"lang = env['res.lang']._activate_lang({DEMO_LANGUAGE!r})\n"
        "env['base.language.install'].create("
        "{'lang_ids': [Command.set(lang.ids)]}).lang_install()\n"
        "env['crm.demo.generator'].generate("
        f"customers={args.customers}, orders_per_customer=8, seed=7)\n"
        "env['res.partner'].crm_recompute_classification()\n"
        "env['res.partner'].crm_recompute_credit_rating()\n"
        "env['crm.customer.score'].action_crm_recompute_scores()\n"
        "env['crm.cross.sell.rule']._cron_mine_rules()\n"
        "env['crm.cohort.report']._cron_crm_refresh_cohorts()\n"
        "env.cr.commit()\n"
    )
    rc = subprocess.run(
        [*ODOO, "shell", "-c", dev_config(), "-d", database, "--no-http", "--log-level=warn"],
        cwd=ROOT,
        input=code,
        text=True,
    ).returncode
    if rc:
        raise SystemExit(f"[dev] generating the demo data failed (exit {rc})")
    if args.no_server:
        say(f"demo database {database!r} is ready")
        return 0
    say(f"server on http://localhost:{args.port}/odoo  login: admin  password: admin  (Ctrl-C stops)")
    os.execv(
        sys.executable,
        odoo_command(database, "--http-port", str(args.port), "--db-filter", f"^{database}$"),
    )
    return 0


def odoo_test_summary(text):
    """Odoo's own test counts from its log: (run, failed, skipped, errors).

    ``run`` and ``failed`` come from the runner's closing report, "F failed,
    E error(s) of N tests when loading database" (at_install and post_install
    together). The per-module statistics are not counts of tests: they also
    list each class's setUpClass."""
    run = failed = 0
    for match in re.finditer(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading", text):
        failed += int(match.group(1)) + int(match.group(2))
        run += int(match.group(3))
    # The report counts each failing subtest: a test with four failing subtests
    # is one failed test. "FAIL: Subtest Class.method (params)" -> Class.method.
    failing = {
        match.group(1) for match in re.finditer(
            r"^\S+ \S+ \d+ ERROR \S+ [\w.]+: (?:FAIL|ERROR): (?:Subtest )?(\S+(?: \([\w.]+\))?)",
            text, re.M)
    }
    if failing:
        failed = min(failed, len(failing)) if failed else len(failing)
    # Odoo logs a skip under the test module's own logger: "<logger>: skipped <test> : <why>".
    skipped = re.findall(r"^\S+ \S+ \d+ INFO \S+ [\w.]+: skipped (.+)$", text, re.M)
    errors = re.findall(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) .*$", text, re.M)
    # Warnings about our own code (view access inconsistencies, bad field
    # definitions...) are defects too.
    errors += [
        line for line in re.findall(r"^\S+ \S+ \d+ WARNING .*$", text, re.M)
        if any(module in line for module in TESTED_MODULES) or "Inconsistency" in line
    ]
    return run, failed, skipped, errors


PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b")
PYTEST_SUMMARY = re.compile(r"^=*\s*(?:no tests ran|.*\b(?:passed|failed|errors?|skipped)\b).* in [\d.]+s")


def pytest_summary(text):
    """pytest's own counts from its closing line, e.g. "3 failed, 180 passed,
    2 errors in 95.1s": {"passed": 180, "failed": 3, "error": 2, ...}. An error
    (a test whose setup or teardown failed) is counted once, under "error"."""
    counts = dict.fromkeys(("passed", "failed", "error", "skipped", "xfailed", "xpassed"), 0)
    closing = [line for line in text.splitlines() if PYTEST_SUMMARY.match(line.strip())]
    for number, word in PYTEST_COUNT.findall(closing[-1] if closing else ""):
        word = "error" if word.startswith("error") else word
        if word in counts:
            counts[word] += int(number)
    return counts


def run_lint():
    """pre-commit over every file (.pre-commit-config.yaml: ruff, pylint-odoo,
    OCA's module and .po checks); True when clean. Its hooks run the tools
    installed from requirements-test.txt, next to this interpreter."""
    try:
        import pre_commit  # noqa: F401  (only whether it is installed)
    except ImportError:
        raise PrerequisiteError(
            "pre-commit is missing, and the linters need it: "
            "`pip install -r requirements-test.txt`."
        ) from None
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
    say("linters: pre-commit run --all-files")
    started = time.monotonic()
    rc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--show-diff-on-failure"],
        cwd=ROOT,
        env=env,
    ).returncode
    elapsed = time.monotonic() - started
    if rc:
        say(f"linters: findings (above) after {elapsed:.0f}s; fix them, "
            "or run `python3 tools/dev.py lint` again (ruff fixes what it can)")
        return False
    say(f"linters: clean in {elapsed:.0f}s")
    return True


def cmd_lint(args):
    if not args.no_pip:
        pip_install("requirements-test.txt")
    return 0 if run_lint() else 1


def cmd_test(args):
    check_odoo()
    settings = db_settings()
    check_postgres(settings)
    if not args.no_pip:
        pip_install("requirements-test.txt")
    # The linters first: a minute, against the suite's quarter of an hour.
    if not args.no_lint and not run_lint():
        print("tests: 0 passed, 1 failed (the linters found problems; no test ran)", flush=True)
        return 1
    check_browser()
    stamp = datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    database = f"crm_test_{stamp}_{os.getpid()}"
    log_dir = os.path.join(ROOT, "var")
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, "odoo-tests.log")
    tags = args.test_tags or ",".join(f"/{module}" for module in TESTED_MODULES)
    say(f"database {database}: installing {', '.join(TESTED_MODULES + TEST_EXTRA_MODULES)} and "
        f"running the tests of {', '.join(TESTED_MODULES)} ({tags})")
    started = time.monotonic()
    failures = []
    run = failed = pytest_passed = pytest_failed = 0
    skipped = []
    try:
        rc, text = run_logged(
            odoo_command(
                database,
                "-i", ",".join(TESTED_MODULES + TEST_EXTRA_MODULES),
                "--test-enable",
                "--test-tags", tags,
                "--stop-after-init",
                "--http-port", str(free_port()),
                "--log-level=test",
            ),
            log_path,
        )
        run, failed, skipped, errors = odoo_test_summary(text)
        say(f"Odoo tests: {run} run, {failed} failed, {len(skipped)} skipped "
            f"in {time.monotonic() - started:.0f}s (log: var/odoo-tests.log)")
        if rc:
            failures.append(f"Odoo exited with {rc}")
        if failed:
            failures.append(f"{failed} Odoo test(s) failed")
        if errors:
            failures.append(f"{len(errors)} ERROR line(s) or warning(s) about our modules in the Odoo log")
            for line in errors[:20]:
                say("  " + line[:300])
        if skipped:
            failures.append(f"{len(skipped)} Odoo test(s) skipped (a skipped test is not a pass)")
            for line in skipped[:20]:
                say("  skipped " + line[:300])
        if not run:
            failures.append("no Odoo test ran")
        if not args.skip_pytest:
            env = dict(
                os.environ,
                CRM_TEST_DB=database,
                CRM_ODOO_CONF=dev_config(),
                PYTHONPATH=os.pathsep.join(
                    filter(None, [os.path.join(ROOT, "scripts"), os.environ.get("PYTHONPATH")])
                ),
            )
            say("pytest over tests/ and scripts/ (live server on the test database) and "
                "crm_analytics/scoring (plain Python)")
            rc, text = run_logged(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", "scripts",
                 os.path.join("addons", "crm_analytics", "scoring")],
                os.path.join(log_dir, "pytest.log"),
                env=env,
            )
            counts = pytest_summary(text)
            pytest_passed = counts["passed"]
            pytest_failed = counts["failed"] + counts["error"] + counts["xpassed"]
            say(f"pytest: {pytest_passed} passed, {counts['failed']} failed, "
                f"{counts['error']} error(s), {counts['skipped']} skipped")
            if rc:
                failures.append(f"pytest exited with {rc}")
            if counts["skipped"] or counts["xfailed"]:
                pytest_failed += counts["skipped"] + counts["xfailed"]
                failures.append(f"{counts['skipped'] + counts['xfailed']} pytest test(s) skipped "
                                "or expected to fail")
            if not pytest_passed:
                failures.append("pytest ran no test")
    finally:
        if args.keep_db:
            say(f"kept database {database}")
        else:
            drop_database(settings, database)
    elapsed = time.monotonic() - started
    # Each test once: Odoo's run minus its failures and skips, plus pytest's
    # passes; a skipped test did not pass, so it counts as failed.
    odoo_skipped = len(skipped)
    passed = max(run - failed - odoo_skipped, 0) + pytest_passed
    not_passed = failed + odoo_skipped + pytest_failed
    if failures:
        say(f"FAILED after {elapsed:.0f}s: " + "; ".join(failures))
        print(f"tests: {passed} passed, {not_passed} failed", flush=True)
        return 1
    say(f"all tests passed in {elapsed:.0f}s (Odoo: {run}, pytest: {pytest_passed})")
    print(f"tests: {passed} passed, 0 failed", flush=True)
    return 0


def benchmarks():
    """The benchmark modules of tools/bench/, by name."""
    return sorted(module.name for module in pkgutil.iter_modules(bench.__path__))


def cmd_bench(args):
    """``python3 -m tools.bench.NAME ARGS`` from the repository root, with the
    command-line client importable (the benchmarks that call the API use it).
    The benchmark copies its template database, built the first time."""
    check_odoo()
    check_postgres(db_settings())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        ROOT, os.path.join(ROOT, "scripts"), os.environ.get("PYTHONPATH")])))
    say(f"benchmark {args.name}: python3 -m tools.bench.{args.name} {' '.join(args.args)}")
    return subprocess.run([sys.executable, "-m", f"tools.bench.{args.name}", *args.args],
                          cwd=ROOT, env=env).returncode


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 tools/dev.py",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="set up the demo database and start the server")
    run.add_argument("--database", default=os.environ.get("CRM_DEMO_DB", "crm_demo"))
    run.add_argument("--customers", type=int, default=300)
    run.add_argument("--port", type=int, default=int(os.environ.get("CRM_HTTP_PORT", "8069")))
    run.add_argument("--no-server", action="store_true", help="stop once the database is ready")
    run.add_argument("--no-pip", action="store_true", help="skip installing the requirements")
    run.add_argument("--force", action="store_true",
                     help="allow a database name that does not start with crm_demo")
    test = sub.add_parser("test", help="run every test of both modules and of tests/")
    test.add_argument("--test-tags",
                      help="Odoo --test-tags (default: both modules and crm_demo_data, all tests)")
    test.add_argument("--skip-pytest", action="store_true", help="only the Odoo module tests")
    test.add_argument("--keep-db", action="store_true", help="do not drop the test database")
    test.add_argument("--no-pip", action="store_true", help="skip installing the requirements")
    test.add_argument("--no-lint", action="store_true", help="skip the linters run before the tests")
    lint = sub.add_parser("lint", help="run the linters over every file (pre-commit)")
    lint.add_argument("--no-pip", action="store_true", help="skip installing the requirements")
    bench_parser = sub.add_parser(
        "bench", help="run a benchmark (its options: dev.py bench NAME --help)",
        description="Run one benchmark of tools/bench/ on its own database, copied from "
        "the template database crm_tmpl_base (built when missing). Figures and "
        "commands: docs/BENCHMARKS.md.")
    bench_parser.add_argument("name", choices=benchmarks())
    bench_parser.add_argument("args", nargs=argparse.REMAINDER,
                              help="the benchmark's own options")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    commands = {"run": cmd_run, "test": cmd_test, "lint": cmd_lint, "bench": cmd_bench}
    try:
        return commands[args.command](args)
    except PrerequisiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
