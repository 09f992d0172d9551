"""The provider registry through the CLI: list with dates, show one provider, and an import that
withdraws a qualification is validated, shown as a change, and then in force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import support

pytestmark = pytest.mark.souverain_only

SHIPPED = Path(__file__).resolve().parents[2] / "Sources/SouverainPlacement/Resources/registry.json"


def test_list_and_show_carry_dates(tmp_path):
    cli = support.SouverainCli(tmp_path / "data")
    listed = cli("registry", "list").check().stdout
    assert listed.startswith("registry as of ")
    assert any(line.startswith("ovhcloud\tFR\t") for line in listed.splitlines()), listed
    shown = json.loads(cli("registry", "show", "ovhcloud").check().stdout)
    assert shown["id"] == "ovhcloud"
    assert shown["qualifications"]["secNumCloud"]["asOf"]
    assert cli("registry", "show", "no-such-provider").returncode != 0


def test_an_import_that_withdraws_a_qualification(tmp_path):
    cli = support.SouverainCli(tmp_path / "data")
    registry = json.loads(SHIPPED.read_text())
    provider = next(p for p in registry["providers"] if p["id"] == "docaposte")
    provider["qualifications"]["secNumCloud"]["value"]["status"] = "none-known"
    provider["qualifications"]["secNumCloud"]["value"]["stage"] = None
    provider["qualifications"]["secNumCloud"]["asOf"] = "2026-11-23"
    update = tmp_path / "registry-update.json"
    update.write_text(json.dumps(registry))

    preview = cli("registry", "import", str(update), "--dry-run").check().stdout
    assert "docaposte" in preview and "secNumCloud" in preview, preview
    before = json.loads(cli("registry", "show", "docaposte").check().stdout)
    assert before["qualifications"]["secNumCloud"]["value"]["status"] == "qualified"  # a dry run changes nothing

    cli("registry", "import", str(update)).check()
    now = json.loads(cli("registry", "show", "docaposte").check().stdout)
    assert now["qualifications"]["secNumCloud"]["value"]["status"] == "none-known"

    broken = tmp_path / "broken.json"
    registry["providers"][0]["qualifications"]["secNumCloud"]["value"]["status"] = "sort-of"
    broken.write_text(json.dumps(registry))
    refused = cli("registry", "import", str(broken))
    assert refused.returncode != 0 and "sort-of" in (refused.stdout + refused.stderr)
