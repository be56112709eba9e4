"""Customer segments from external systems, end to end against the live server
over both transports: `segments list`, `segments export` (paging through
crm.customer.segment.crm_api_segment_export, CSV or JSON, progress on stderr),
bad input, and what the integration user may and may not do with segments."""

import csv
import io
import json
import uuid

import pytest
from cli_checks import assert_clean_failure, ok_json
from crm_client import errors

EXPORT_HEADER = [
    "id", "name", "ref", "external_ref", "email", "value_grade", "lifecycle_stage",
    "rfm_segment", "churn_risk", "value_score",
]


@pytest.fixture
def segment(rpc, transport):
    """Three customers under a unique tag, two of them grade A, and a segment
    "grade A among the tagged customers", made by admin over the transport."""
    admin = rpc("admin", transport)
    tag = f"SEG-{uuid.uuid4().hex[:10]}"
    customers = {}
    for key, grade in (("alpha", "a"), ("beta", "a"), ("gamma", "b")):
        partner_id = admin.create("res.partner", {
            "name": f"{tag} {key}", "is_company": True, "customer_rank": 1,
            "email": f"{key}@{tag.lower()}.example.com", "crm_external_ref": f"{tag}-{key}",
        })
        admin.write("res.partner", [partner_id], {"crm_value_grade": grade})
        customers[key] = partner_id
    grade_a = admin.search("crm.customer.segment.option",
                           [("kind", "=", "value_grade"), ("code", "=", "a")])
    segment_id = admin.create("crm.customer.segment", {
        "name": f"{tag} Grade A",
        "value_grade_ids": [(6, 0, grade_a)],
        "partner_domain": repr([("name", "=like", f"{tag} %")]),
    })
    return {"id": segment_id, "name": f"{tag} Grade A", "tag": tag, "customers": customers}


def test_list_and_export(run_cli, rpc, users, transport, segment, tmp_path):
    # The integration user lists the segments with their live count...
    listed = ok_json(run_cli(users.integration, transport, "segments", "list", "--format", "json"))
    mine = [row for row in listed if row["id"] == segment["id"]]
    assert mine == [{"id": segment["id"], "name": segment["name"], "customers": 2,
                     "company": mine[0]["company"]}]
    assert mine[0]["company"]

    # ... and exports one by name, as JSON on stdout.
    done = run_cli(users.integration, transport, "segments", "export", segment["name"],
                   "--format", "json")
    rows = ok_json(done)
    assert [list(row) for row in rows] == [EXPORT_HEADER, EXPORT_HEADER]
    tag = segment["tag"]
    assert [(row["id"], row["name"], row["external_ref"], row["email"], row["value_grade"])
            for row in rows] == [
        (segment["customers"]["alpha"], f"{tag} alpha", f"{tag}-alpha",
         f"alpha@{tag.lower()}.example.com", "A"),
        (segment["customers"]["beta"], f"{tag} beta", f"{tag}-beta",
         f"beta@{tag.lower()}.example.com", "A"),
    ]
    assert rows[0]["ref"] is None and rows[0]["rfm_segment"] is None
    assert "2/2 customers" in done.stderr

    # By id, one customer per call, into a CSV file: the progress shows each page.
    path = tmp_path / "segment.csv"
    done = run_cli(users.integration, transport, "segments", "export", str(segment["id"]),
                   "--page-size", "1", "--output", str(path), "--format", "json")
    summary = ok_json(done)
    assert summary == {"file": str(path), "segment": segment["name"], "customers": 2}
    lines = [line for line in done.stderr.splitlines() if " customers " in line]
    assert [line.split(" ")[0] for line in lines] == ["1/2", "2/2"], done.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == rows
    # Without --format json the file is CSV.
    done = run_cli(users.integration, transport, "segments", "export", str(segment["id"]),
                   "--output", str(path), "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    with open(path, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == EXPORT_HEADER
    assert [line[1] for line in table[1:]] == [f"{tag} alpha", f"{tag} beta"]
    assert table[1][5] == "A"

    # CSV on stdout as well.
    out = run_cli(users.salesman, transport, "segments", "export", segment["name"],
                  "--format", "csv", "--quiet")
    assert out.returncode == 0, out.stderr
    assert next(csv.reader(io.StringIO(out.stdout))) == EXPORT_HEADER

    # The API itself answers compact rows: a header and lists, paged.
    answer = rpc("integration", transport).call(
        "crm.customer.segment", "crm_api_segment_export",
        segment=segment["id"], fields=["id", "value_grade"], offset=1, limit=5)
    assert answer["header"] == ["id", "value_grade"]
    assert answer["rows"] == [[segment["customers"]["beta"], "a"]]
    assert (answer["total"], answer["offset"]) == (2, 1)


def test_export_bad_input(run_cli, users, transport, segment):
    unknown = run_cli(users.integration, transport, "segments", "export", "No such segment here")
    assert_clean_failure(unknown, errors.EXIT_REFUSED,
                         'No customer segment "No such segment here".')
    missing_id = run_cli(users.integration, transport, "segments", "export", "999999999")
    assert_clean_failure(missing_id, errors.EXIT_REFUSED, 'No customer segment "999999999".')
    page = run_cli(users.integration, transport, "segments", "export", segment["name"],
                   "--page-size", "0")
    assert_clean_failure(page, errors.EXIT_USAGE, "--page-size must be between 1 and 10000.")


def test_integration_reads_only_what_it_may(run_cli, rpc, users, transport, segment):
    admin = rpc("admin", transport)
    integration = rpc("integration", transport)
    # Reading, yes; changing, no.
    assert integration.read("crm.customer.segment", [segment["id"]], ["name"])[0]["name"] == \
        segment["name"]
    with pytest.raises(errors.AccessDenied):
        integration.write("crm.customer.segment", [segment["id"]], {"name": "Renamed"})
    with pytest.raises(errors.AccessDenied):
        integration.create("crm.customer.segment", {"name": "Integration segment"})
    with pytest.raises(errors.AccessDenied):
        integration.call("crm.customer.segment", "unlink", [segment["id"]])
    # A segment of a company the integration user does not belong to does not exist for it.
    company_id = admin.create("res.company", {"name": f"{segment['tag']} Other Co"})
    other_id = admin.create("crm.customer.segment", {
        "name": f"{segment['tag']} Other", "company_id": company_id})
    listed = ok_json(run_cli(users.integration, transport, "segments", "list", "--format", "json"))
    assert other_id not in [row["id"] for row in listed]
    assert segment["id"] in [row["id"] for row in listed]
    refused = run_cli(users.integration, transport, "segments", "export", str(other_id))
    assert_clean_failure(refused, errors.EXIT_REFUSED, f'No customer segment "{other_id}".')
