"""Each add-on is a pip-installable Python distribution, as OCA's since 17.0:
a ``pyproject.toml`` with the ``whool`` build backend, which reads the
manifest. Building both wheels checks the packaging without installing them
(and without a server: the wheels are built from the repository)."""

import email
import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    # No build isolation: whool comes with requirements-test.txt, so the
    # build needs no network.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out),
         os.path.join(ROOT, "addons", "crm_extended"),
         os.path.join(ROOT, "addons", "crm_analytics")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return {name.split("-")[0]: out / name for name in os.listdir(out)}


def metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name)), archive.namelist()


@pytest.mark.parametrize("addon", ["crm_extended", "crm_analytics"])
def test_addon_wheel_installs_where_odoo_finds_it(wheels, addon):
    wheel = wheels[f"odoo_addon_{addon}"]
    meta, names = metadata(wheel)
    assert meta["Name"] == f"odoo-addon-{addon}"
    # The manifest's version, and the add-on under the odoo.addons namespace.
    assert meta["Version"].startswith("19.0.")
    assert f"odoo/addons/{addon}/__manifest__.py" in names
    assert f"odoo/addons/{addon}/__init__.py" in names
    assert "odoo==19.0.*" in meta.get_all("Requires-Dist")


def test_analytics_wheel_requires_crm_extended_and_its_libraries(wheels):
    meta, names = metadata(wheels["odoo_addon_crm_analytics"])
    requires = meta.get_all("Requires-Dist")
    assert "odoo-addon-crm_extended==19.0.*" in requires
    assert {"numpy", "scipy"} <= set(requires)
    # The plain-Python statistics ship with the add-on.
    assert "odoo/addons/crm_analytics/scoring/btyd.py" in names
