"""``aiexports assess``: the JSON contract, exit codes and located input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.conftest import FIXTURES, ROOT

EXAMPLES = ROOT / "examples" / "deals"
SPEC_EXAMPLES = sorted((ROOT / "tests" / "golden" / "spec-examples").glob("*.expected.json"))


@pytest.mark.parametrize("expected_file", SPEC_EXAMPLES, ids=lambda p: p.name.split(".")[0])
def test_spec_worked_examples(
    expected_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = json.loads(expected_file.read_text())
    deal = EXAMPLES / (expected_file.name.split(".")[0] + ".yaml")
    result = run(capsys, monkeypatch, "assess", str(deal), "--format", "json")
    assert result.code == 0
    got = result.json()
    assert got["outcome"] == expected["outcome"]
    assert got["review_policy"] == expected["review_policy"]
    assert set(expected["rules"]) <= {f["rule"] for f in got["findings"]}
    assert {c["id"] for c in got["conditions"]} == set(expected["conditions"])


def test_json_has_the_contract_fields(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys, monkeypatch, "assess", str(EXAMPLES / "kazakhstan-gpus.yaml"), "--format", "json"
    ).json()
    assert got["deal_id"] == "kazakhstan-gpus"
    assert got["policy"]["id"] == "us-baseline"
    assert got["policy"]["effective"] == {"start": "2025-05-13", "end": None}
    assert set(got["policy"]) >= {"id", "effective", "version"}
    finding = got["findings"][0]
    assert set(finding) >= {"rule", "outcome", "review_policy", "message", "citations", "evidence"}
    assert finding["citations"] == ["15 CFR 742.6(a)(6)(iii)"]
    condition = got["conditions"][0]
    assert set(condition) >= {"id", "text", "binding", "source_rule"}
    assert got["decision_id"].startswith("sha256:")
    assert {"lists", "countries"} <= set(got["data_versions"])
    assert "block>=" in got["data_versions"]["screening"]


def test_prohibited_outcome_still_exits_zero(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(capsys, monkeypatch, "assess", str(EXAMPLES / "syria-embargo.yaml"))
    assert result.code == 0
    assert "prohibited" in result.out
    assert "EMBARGO" in result.out


def test_same_deal_same_decision_id_across_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = str(EXAMPLES / "sovereign-cloud-saudi-arabia.yaml")
    first = run(capsys, monkeypatch, "assess", deal, "--format", "json").json()
    second = run(capsys, monkeypatch, "assess", deal, "--format", "json").json()
    assert first["decision_id"] == second["decision_id"]


def test_listed_party_is_found_by_screening(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys, monkeypatch, "assess", str(EXAMPLES / "listed-bank-spain.yaml"), "--format", "json"
    ).json()
    assert got["outcome"] == "prohibited"
    finding = got["findings"][0]
    assert finding["rule"] == "RPS_PROHIBITED"
    assert finding["evidence"]["list"] == "SDN"
    assert finding["evidence"]["entity_number"] == "306"
    assert finding["evidence"]["party"] == "Banco Nacional de Cuba"


def test_lists_option_replaces_the_lists(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    un_only = FIXTURES / "lists" / "download" / "un-consolidated.xml"
    got = run(
        capsys,
        monkeypatch,
        "assess",
        str(EXAMPLES / "listed-bank-spain.yaml"),
        "--lists",
        str(un_only),
        "--format",
        "json",
    ).json()
    assert "RPS_PROHIBITED" not in {f["rule"] for f in got["findings"]}
    assert got["data_versions"]["lists"].startswith("un-sc@")


def test_no_list_data_is_rps_unavailable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "no-lists"
    empty.mkdir()
    got = run(
        capsys,
        monkeypatch,
        "assess",
        str(EXAMPLES / "kenya-agri-app.yaml"),
        "--lists",
        str(empty),
        "--format",
        "json",
    ).json()
    assert got["outcome"] == "review_required"
    unavailable = [f for f in got["findings"] if f["rule"] == "RPS_UNAVAILABLE"]
    assert unavailable
    assert unavailable[0]["citations"] == ["15 CFR 732 Supp. 3"]


def test_compare_policy_shows_both_and_the_difference(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    got = run(
        capsys,
        monkeypatch,
        "assess",
        str(EXAMPLES / "kazakhstan-gpus-2025.yaml"),
        "--compare-policy",
        "us-baseline",
        "--format",
        "json",
    ).json()
    assert got["policy"]["policy"]["id"] == "ai-diffusion-2025"
    assert got["compare_policy"]["policy"]["id"] == "us-baseline"
    differences = got["differences"]
    assert differences["outcome"] == {"from": "no_license_required", "to": "license_required"}
    assert differences["direction"] == "stricter"
    assert differences["rules_added"] == ["ADVANCED_COMPUTING_D1_D4"]
    assert differences["rules_removed"] == ["DIFFUSION_CHIPS_TIER2"]
    assert differences["conditions_removed"] == ["LPP-NOTICE"]
    table = run(
        capsys,
        monkeypatch,
        "assess",
        str(EXAMPLES / "kazakhstan-gpus-2025.yaml"),
        "--compare-policy",
        "us-baseline",
    )
    assert "no_license_required → license_required (stricter)" in table.out


def test_a_draft_pack_file_can_be_tried(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text(
        "id: draft-psv-256\nextends: us-baseline\ntitle: Draft with PSV from 256\n"
        "version: draft-1\neffective: [{start: 2026-01-01, end: null}]\n"
        "rules: [EMBARGO, ADVANCED_COMPUTING_D1_D4, PROGRAM_CONDITIONS]\n"
        "parameters:\n  psv_min_accelerators:\n    - value: 256\n"
    )
    got = run(
        capsys,
        monkeypatch,
        "assess",
        str(EXAMPLES / "kazakhstan-gpus.yaml"),
        "--policy",
        str(draft),
        "--format",
        "json",
    ).json()
    assert got["policy"]["id"] == "draft-psv-256"
    assert "MON-PSV" in {c["id"] for c in got["conditions"]}


BAD_DEALS = {
    "unknown-field": ("colour: blue\n", 9, "colour", "unknown field"),
    "unknown-country": ("", 3, "destination", "unknown country code 'XX'"),
    "unknown-end-use": ("", 9, "end_uses[1]", "'spying' is not allowed"),
    "missing-end-user": ("", 4, "parties", "must include an end_user"),
    "unknown-capability": ("", 12, "components[0].capabilities[0]", "'mind_reading'"),
    "bad-eccn": ("", 11, "components[0].eccn", "is not an ECCN"),
}
BASE_DEAL = """id: bad
date: 2026-11-26
destination: {destination}
parties:
  - role: {role}
    name: Example Buyer
    country: DE
    type: private
end_uses: [research, {use}]
components:
  - {{id: app, kind: application, eccn: {eccn},
     capabilities: [{capability}]}}
"""


@pytest.mark.parametrize("case", sorted(BAD_DEALS))
def test_bad_input_names_file_line_and_field(
    case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    extra, line, field, message = BAD_DEALS[case]
    values = {
        "destination": "DE",
        "role": "end_user",
        "use": "education",
        "eccn": "EAR99",
        "capability": "facial_recognition",
    }
    if case == "unknown-country":
        values["destination"] = "XX"
    elif case == "unknown-end-use":
        values["use"] = "spying"
    elif case == "missing-end-user":
        values["role"] = "purchaser"
    elif case == "unknown-capability":
        values["capability"] = "mind_reading"
    elif case == "bad-eccn":
        values["eccn"] = "4Z999"
    path = tmp_path / "deal.yaml"
    text = BASE_DEAL.format(**values)
    if extra:
        text = text.replace("end_uses:", extra + "end_uses:")
    path.write_text(text)
    result = run(capsys, monkeypatch, "assess", str(path))
    assert result.code == 2
    assert f"{path}:{line}: field '{field}':" in result.err
    assert message in result.err
    assert result.out == ""


def test_yaml_syntax_error_is_located(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ndate: 2026-11-26\nparties: [\n  {role: end_user\n")
    result = run(capsys, monkeypatch, "assess", str(path))
    assert result.code == 2
    assert f"{path}:" in result.err
    assert "not valid YAML/JSON" in result.err


def test_missing_file(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(capsys, monkeypatch, "assess", "no/such/deal.yaml")
    assert result.code == 2
    assert "no/such/deal.yaml: file not found" in result.err


@pytest.mark.parametrize(
    ("snippet", "line", "field", "message"),
    [
        ("package: no-such-package\n", 6, "package", "no package 'no-such-package'"),
        (
            "components: [no-such-component]\n",
            6,
            "components[0]",
            "no component 'no-such-component'",
        ),
        (
            "components: [slc-open-llm]\nquantities: {ghost: 3}\n",
            7,
            "quantities.ghost",
            "no component 'ghost'",
        ),
    ],
)
def test_references_that_name_nothing(
    snippet: str,
    line: int,
    field: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(
        "date: 2026-11-26\ndestination: DE\nparties:\n  - {role: end_user, "
        "name: B, country: DE, type: private}\nend_uses: [research]\n" + snippet
    )
    result = run(capsys, monkeypatch, "assess", str(path))
    assert result.code == 2
    assert f"field '{field}'" in result.err
    assert message in result.err
    assert f"{path}:{line}:" in result.err


def test_missing_tpp_under_diffusion_is_an_input_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "deal.yaml"
    path.write_text(
        "date: 2025-03-01\ndestination: KZ\nparties:\n  - {role: end_user, "
        "name: B, country: KZ, type: private}\nend_uses: [research]\n"
        "components:\n  - {id: gpus, kind: hardware, eccn: 4A090.a, units: 8}\n"
    )
    result = run(capsys, monkeypatch, "assess", str(path))
    assert result.code == 2
    assert f"{path}:7: field 'components[0].tpp': tpp is required" in result.err


def test_json_deal_documents_are_read_with_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "deal.json"
    path.write_text(
        json.dumps(
            {
                "date": "2026-11-26",
                "destination": "NO",
                "parties": [
                    {"role": "end_user", "name": "Oslo AI", "country": "NO", "type": "private"}
                ],
                "end_uses": ["research"],
                "components": [
                    {"id": "m", "kind": "model", "eccn": "EAR99", "access": "telepathy"}
                ],
            },
            indent=2,
        )
    )
    result = run(capsys, monkeypatch, "assess", str(path))
    assert result.code == 2
    assert "field 'components[0].access'" in result.err
    assert f"{path}:20:" in result.err


def test_assess_path_to_approval_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(
        "date: 2026-12-01\npackage: sovereign-llm-cloud\ndestination: AE\n"
        "parties:\n  - {role: end_user, name: Gulf Cloud Holdings, country: AE,"
        " headquarters: CN, type: private}\nend_uses: [commercial]\n",
        encoding="utf-8",
    )
    found = run(capsys, monkeypatch, "assess", str(deal), "--path-to-approval", "--format", "json")
    assert found.code == 0, found.err
    body = found.json()
    assert body["determination"]["review_policy"] == "presumption_of_denial"
    kinds = {c["kind"] for c in body["path_to_approval"]["changes"]}
    assert "headquarters" in kinds
    table = run(capsys, monkeypatch, "assess", str(deal), "--path-to-approval")
    assert "Path to approval" in table.out
    assert "headquartered in AE instead of CN" in table.out
