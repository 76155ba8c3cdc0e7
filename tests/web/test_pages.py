"""The pages over HTTP: what each role sees and does through the forms, the same figures
as the API, refusals (CSRF, other organisations, bad input) and the public pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.api.conftest import APPLICATION
from tests.web.conftest import Site

APPLICANT = "demo-consortium-a/applicant"
OTHER_APPLICANT = "demo-consortium-b/applicant"
OFFICER = "demo-agency/officer-1"
PARTNER = "demo-partner-in/viewer"
AUDITOR = "demo-auditor/auditor"
ANALYST = "demo-program-office/analyst"


def _text(html: str) -> str:
    """A page's visible words, tags dropped and whitespace folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _application_form() -> dict[str, Any]:
    party = APPLICATION["parties"][0]
    item = APPLICATION["items"][0]
    return {
        "reference": APPLICATION["reference"],
        "package": APPLICATION["package"],
        "destination": APPLICATION["destination"],
        "date": APPLICATION["date"],
        "end_uses": APPLICATION["end_uses"],
        "specific_end_use": APPLICATION["specific_end_use"],
        **{f"party0_{k}": v for k, v in party.items()},
        "item0_component": item["component"],
        "item0_eccn": item["eccn"],
        "item0_quantity": str(item["quantity"]),
        "item0_unit_value_usd": str(item["unit_value_usd"]),
        "item0_total_value_usd": str(item["total_value_usd"]),
        "item0_description": item["description"],
    }


def _batch(site: Site, content: str | bytes, name: str = "names.csv", format: str = "page") -> Any:
    """A CSV of names posted to the batch screening form by an officer."""
    files = {"file": (name, content, "text/csv")}
    return site.post(OFFICER, "/screen/batch", {"format": format}, files=files)


def _version(site: Site, who: str, path: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', site.browser(who).get(path).text)
    assert found is not None, f"no versioned form on {path}"
    return found.group(1)


def _applied(site: Site) -> str:
    created = site.post(APPLICANT, "/applications/new", _application_form())
    assert created.status_code == 303, _text(created.text)
    return created.headers["location"].split("?")[0]


def test_the_journey_from_application_to_audit_through_the_forms(site: Site) -> None:
    app_path = _applied(site)
    app_id = app_path.rsplit("/", 1)[1]
    draft = site.browser(APPLICANT).get(app_path)
    assert "draft" in _text(draft.text)
    submitted = site.post(
        APPLICANT, f"{app_path}/submit", {"version": _version(site, APPLICANT, app_path)}
    )
    assert submitted.status_code == 303, _text(submitted.text)

    # The officer finds it in the queue, takes it and approves it with a condition.
    queue = site.browser(OFFICER).get("/queue")
    assert APPLICATION["reference"] in queue.text
    taken = site.post(OFFICER, f"{app_path}/take", {"version": _version(site, OFFICER, app_path)})
    assert taken.status_code == 303, _text(taken.text)
    review = site.browser(OFFICER).get(app_path).text
    assert "Record the decision" in review
    decided = site.post(
        OFFICER,
        f"{app_path}/decision",
        {
            "version": _version(site, OFFICER, app_path),
            "decision": "approved_with_conditions",
            "reason": "Within the program's terms.",
            "conditions": "OFF-ONSITE: Quarterly on-site end-use checks by the agency.",
            "riders": "The licensee reports every shipment within 10 days.",
        },
    )
    assert decided.status_code == 303, _text(decided.text)
    license_id = site.api(APPLICANT, f"/api/v1/applications/{app_id}")["license"]
    license_path = f"/licenses/{license_id}"

    # The consortium acknowledges every condition, then ships part of the licensed item.
    page = site.browser(APPLICANT).get(license_path).text
    assert "OFF-ONSITE" in page
    conditions = re.findall(r'name="conditions" value="([^"]+)"', page)
    assert "OFF-ONSITE" in conditions
    acknowledged = site.post(
        APPLICANT, f"{license_path}/acknowledgments", {"conditions": conditions}
    )
    assert acknowledged.status_code == 303, _text(acknowledged.text)
    item = APPLICATION["items"][0]
    shipped = site.post(
        APPLICANT,
        f"{license_path}/shipments",
        {
            "date": "2026-12-10",
            "consignee": "National Informatics Centre",
            "component": item["component"],
            "quantity": "40",
            "value_usd": "1200000",
        },
    )
    assert shipped.status_code == 303, _text(shipped.text)
    view = site.api(APPLICANT, f"/api/v1/licenses/{license_id}")
    assert view["items"][0]["shipped_quantity"] == 40
    assert 'value="40"' in site.browser(APPLICANT).get(license_path).text  # the depletion bar

    # The partner government of the destination sees the license and co-signs the ledger.
    assert license_id in site.browser(PARTNER).get("/licenses").text
    recorded = site.post(APPLICANT, f"{app_path}/ledger/record", {})
    assert recorded.status_code == 303, _text(recorded.text)
    ledger_path = f"{app_path}/ledger"
    cosigned = site.post(
        PARTNER, f"{ledger_path}/cosign", {"version": _version(site, PARTNER, ledger_path)}
    )
    assert cosigned.status_code == 303, _text(cosigned.text)
    assert "co-signed by" in _text(site.browser(PARTNER).get(ledger_path).text)

    # The auditor follows the trail, and the chain verifies.
    trail = _text(site.browser(AUDITOR).get("/audit").text)
    assert "The chain verifies" in trail
    assert "license.ship" in trail
    assert "license.acknowledge" in trail


def test_a_stale_decision_says_another_officer_decided_and_changes_nothing(site: Site) -> None:
    app_path = _applied(site)
    site.post(APPLICANT, f"{app_path}/submit", {"version": _version(site, APPLICANT, app_path)})
    site.post(OFFICER, f"{app_path}/take", {"version": _version(site, OFFICER, app_path)})
    seen = _version(site, OFFICER, app_path)
    first = site.post(
        OFFICER, f"{app_path}/decision", {"version": seen, "decision": "denied", "reason": "No."}
    )
    assert first.status_code == 303
    second = site.post(
        "demo-agency/officer-2",
        f"{app_path}/decision",
        {"version": seen, "decision": "approved", "reason": "Yes."},
    )
    assert second.status_code == 409
    assert "another officer may have decided it" in _text(second.text)
    app_id = app_path.rsplit("/", 1)[1]
    assert site.api(OFFICER, f"/api/v1/applications/{app_id}")["state"] == "denied"


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    app_path = _applied(site)
    version = _version(site, APPLICANT, app_path)
    browser = site.browser(APPLICANT)
    for data in ({"version": version}, {"version": version, "csrf": "forged"}):
        refused = browser.post(f"{app_path}/submit", data=data, follow_redirects=False)
        assert refused.status_code == 403
    app_id = app_path.rsplit("/", 1)[1]
    assert site.api(APPLICANT, f"/api/v1/applications/{app_id}")["state"] == "draft"
    # The public has no session at all: its post is refused the same way.
    public = site.browser().post(f"{app_path}/submit", data={"version": version})
    assert public.status_code == 403


def test_another_organisations_pages_answer_404(site: Site) -> None:
    app_path = _applied(site)
    other = site.browser(OTHER_APPLICANT)
    assert other.get(app_path).status_code == 404
    assert other.get(f"{app_path}/ledger").status_code == 404
    version = _version(site, APPLICANT, app_path)
    assert site.post(OTHER_APPLICANT, f"{app_path}/submit", {"version": version}).status_code == 404
    # The partner government sees no draft, and nothing bound for another country.
    assert site.browser(PARTNER).get(app_path).status_code == 404


def test_bad_form_input_is_shown_with_its_fields_and_nothing_is_written(site: Site) -> None:
    form = {**_application_form(), "destination": "QQ", "party0_type": "pirate"}
    refused = site.post(APPLICANT, "/applications/new", form)
    assert refused.status_code == 422
    shown = _text(refused.text)
    assert "destination" in shown
    assert "type" in shown
    assert 'value="MSC-2026-014"' in refused.text  # what was typed is kept
    listed = site.api(APPLICANT, "/api/v1/applications")
    assert listed["items"] == []


def test_the_assessment_page_shows_the_apis_determination(site: Site) -> None:
    deal = {
        "id": "web-check",
        "date": "2026-12-01",
        "package": "frontier-compute-cluster",
        "destination": "AE",
        "parties": [
            {"role": "end_user", "name": "Mehr Trading Company", "country": "AE", "type": "private"}
        ],
        "end_uses": ["research"],
    }
    from_api = site.service.client.post(
        "/api/v1/assessments", json=deal, headers=site.service.as_(OFFICER)
    ).json()
    form = {
        "reference": "web-check",
        "date": deal["date"],
        "package": deal["package"],
        "destination": deal["destination"],
        "party0_role": "end_user",
        "party0_name": "Mehr Trading Company",
        "party0_country": "AE",
        "party0_type": "private",
        "end_uses": ["research"],
    }
    shown = site.post(OFFICER, "/assess", form)
    assert shown.status_code == 200
    assert from_api["decision_id"] in shown.text
    for finding in from_api["findings"]:
        assert finding["rule"] in shown.text
        for citation in finding["citations"]:
            assert citation in shown.text
    for condition in from_api["conditions"]:
        assert condition["id"] in shown.text
    what_if = site.post(OFFICER, "/assess", {**form, "compare_policy": "ai-diffusion-2025"})
    assert "What if: under ai-diffusion-2025" in what_if.text
    assert "DIFFUSION_CHIPS_TIER2" in what_if.text


def test_an_assessment_with_a_bad_field_is_refused_on_the_page(site: Site) -> None:
    shown = site.post(
        OFFICER,
        "/assess",
        {
            "date": "2026-02-30",
            "destination": "IN",
            "party0_name": "X",
            "party0_country": "IN",
            "party0_role": "end_user",
            "party0_type": "government",
            "end_uses": ["research"],
        },
    )
    assert shown.status_code == 422
    assert "date" in _text(shown.text)


def test_the_menu_page_lists_the_apis_menu_and_filters_it(site: Site) -> None:
    from_api = site.api(OFFICER, "/api/v1/menu")
    page = site.browser().get("/menu").text
    for item in from_api["items"]:
        assert f'href="/menu/{item["id"]}"' in page
        assert item["title"] in unescape(page)
    finance = site.browser().get("/menu?sector=finance").text
    wanted = [i["id"] for i in from_api["items"] if "finance" in i["sectors"]]
    assert wanted
    assert sorted(re.findall(r'<h2><a href="/menu/([^"]+)"', finance)) == sorted(wanted)
    # Offered to a country: named by the package, or through a bloc the country is in.
    blocs = site.service.runtime.program_terms.blocs
    for country in ("KE", "ID"):
        shown = site.browser().get(f"/menu?country={country}").text
        assert sorted(re.findall(r'<h2><a href="/menu/([^"]+)"', shown)) == sorted(
            i["id"]
            for i in from_api["items"]
            if country in i["target_countries"]
            or any(country in blocs[b].members for b in i["target_blocs"])
        )
    assert site.browser().get("/menu?tier=enormous").status_code == 422


def test_the_license_page_shows_the_apis_license(site: Site) -> None:
    license_id = site.service.licensed()
    from_api = site.api(APPLICANT, f"/api/v1/licenses/{license_id}")
    page = _text(site.browser(APPLICANT).get(f"/licenses/{license_id}").text)
    assert from_api["state"] in page
    assert f"{from_api['valid_from']} to {from_api['valid_until']}" in page
    for condition in from_api["conditions"]:
        assert condition["id"] in page
        assert condition["text"] in page
    for item in from_api["items"]:
        assert f"Shipped {item['shipped_quantity']} of {item['quantity']} units" in page


def test_a_package_page_shows_the_conditions_a_deal_to_its_country_carries(site: Site) -> None:
    page = site.browser().get("/menu/sovereign-llm-cloud?to=IN").text
    deal = {
        "id": "sample",
        "date": site.service.runtime.clock().date().isoformat(),
        "package": "sovereign-llm-cloud",
        "destination": "IN",
        "parties": [
            {"role": "end_user", "name": "Sample buyer", "country": "IN", "type": "government"}
        ],
        "end_uses": ["public_services", "research"],
    }
    expected = site.service.client.post(
        "/api/v1/assessments", json=deal, headers=site.service.as_(OFFICER)
    ).json()
    for condition in expected["conditions"]:
        assert condition["id"] in page
    assert "SEAL-" in page


def test_the_transparency_page_counts_outcomes_without_naming_anyone(site: Site) -> None:
    for _ in range(5):
        site.service.licensed()
    denied = site.service.submitted()
    assert site.service.act(denied, "take", OFFICER).status_code == 200
    body = {"decision": "denied", "reason": "No."}
    assert site.service.act(denied, "decision", OFFICER, body).status_code == 200
    site.service.submitted()  # still waiting
    page = site.browser().get("/transparency")
    assert page.status_code == 200
    shown = _text(page.text)
    assert "Applications submitted 7" in shown
    assert "Asia 7" in shown  # all to India (UN M49: Asia, Southern Asia)
    assert "approved with conditions 5" in shown
    # One denial and one pending application: too few to publish, each could be one deal.
    assert "denied fewer than 5" in shown
    assert "pending fewer than 5" in shown
    outcome_rows = re.findall(r'<th scope="row">([^<]+)</th><td>', page.text)
    assert "pending" in outcome_rows
    assert "under review" not in outcome_rows
    assert "submitted" not in outcome_rows
    assert "days with the agency, against a target of 90" in shown
    assert "active 5" in shown
    assert "National Informatics Centre" not in shown
    assert APPLICATION["reference"] not in shown
    assert "<svg" in page.text


def test_a_single_decision_publishes_no_median_and_no_count(site: Site) -> None:
    denied = site.service.submitted()
    assert site.service.act(denied, "take", OFFICER).status_code == 200
    body = {"decision": "denied", "reason": "No."}
    assert site.service.act(denied, "decision", OFFICER, body).status_code == 200
    shown = _text(site.browser().get("/transparency").text)
    assert "too few to publish a median" in shown
    assert "denied fewer than 5" in shown
    assert "Asia fewer than 5" in shown


def test_the_public_reads_the_published_pages_and_is_sent_to_sign_in_elsewhere(
    site: Site,
) -> None:
    public = site.browser()
    for path in (
        "/menu",
        "/compare",
        "/partners",
        "/partners/IN",
        "/policies",
        "/policies/us-baseline",
        "/transparency",
        "/menu/grid-operations-ai",
    ):
        answer = public.get(path)
        assert answer.status_code == 200, path
        assert "Content-Security-Policy" in answer.headers
    for path in ("/assess", "/screen", "/applications", "/licenses", "/audit", "/queue"):
        answer = public.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/login?next={path}"
    assert public.get("/partners/QQ").status_code == 404
    assert public.get("/no-such-page").status_code == 404
    assert "<h1>" in public.get("/no-such-page").text  # a page, not JSON
    assert public.get("/api/v1/no-such").headers["content-type"].startswith("application/problem")


def test_a_role_without_the_permission_gets_403_not_the_page(site: Site) -> None:
    assert site.browser(PARTNER).get("/audit").status_code == 403
    assert site.browser(APPLICANT).get("/queue").status_code == 403


def test_screening_explains_the_match_and_takes_an_adjudication(site: Site) -> None:
    shown = site.post(OFFICER, "/screen", {"name": "Mehr Trading Company", "country": "AE"})
    assert shown.status_code == 200
    text = _text(shown.text)
    assert "MAHER TRADING AND CONSTRUCTION COMPANY" in text
    assert "“mehr” ~ “maher”" in text
    recorded = site.post(
        OFFICER,
        "/screen/adjudicate",
        {
            "name": "Mehr Trading Company",
            "country": "AE",
            "list": "SDN",
            "entity_number": "21562",
            "verdict": "false_positive",
            "reason": "A different company: registration and address differ.",
        },
    )
    assert recorded.status_code == 200, _text(recorded.text)
    again = _text(
        site.post(OFFICER, "/screen", {"name": "Mehr Trading Company", "country": "AE"}).text
    )
    assert "Adjudicated: false positive" in again
    assert "registration and address differ" in again  # officers read adjudications
    # The partner government gets the cleared match, not who cleared it or why.
    seen = _text(
        site.post(PARTNER, "/screen", {"name": "Mehr Trading Company", "country": "AE"}).text
    )
    assert "cleared as a false positive by the program" in seen
    assert "registration and address differ" not in seen
    assert "officer-1" not in seen
    deal = {
        "date": "2026-12-01",
        "destination": "AE",
        "package": "frontier-compute-cluster",
        "parties": [
            {"role": "end_user", "name": "Mehr Trading Company", "country": "AE", "type": "private"}
        ],
        "end_uses": ["research"],
    }
    for who in (PARTNER, OTHER_APPLICANT):
        shown = site.service.client.post(
            "/api/v1/assessments", json=deal, headers=site.service.as_(who)
        )
        assert "registration and address differ" not in shown.text
        assert "demo-agency" not in shown.text
    officer_view = site.service.client.post(
        "/api/v1/assessments", json=deal, headers=site.service.as_(OFFICER)
    )
    assert "registration and address differ" in officer_view.text


def test_a_csv_batch_is_screened_and_downloaded(site: Site) -> None:
    content = "name,country\nMaher Trading and Construction Company,LB\nAcme Tractors,US\n"
    shown = _batch(site, content)
    assert shown.status_code == 200, _text(shown.text)
    assert "2 names screened; 1 with a possible match (review or block)" in _text(shown.text)
    download = _batch(site, content, format="csv")
    assert download.headers["content-type"].startswith("text/csv")
    rows = download.text.splitlines()
    assert rows[0].startswith("name,country,band")
    assert any(
        r.startswith("Maher Trading and Construction Company,LB,block,SDN,21562") for r in rows
    )
    bad = _batch(site, "who,where\nx,y\n")
    assert bad.status_code == 422
    assert "names.csv line 1" in _text(bad.text)
    # A bad row refuses the batch before any name is screened, naming its line and field.
    unknown = "name,country\nAcme Tractors,US\nBeta Mills,Atlantis\n"
    refused = _batch(site, unknown)
    assert refused.status_code == 422
    assert "names.csv line 3: country: unknown country 'Atlantis'" in _text(refused.text)
    assert "names screened" not in refused.text
    # The page reports its progress as it goes: one bar per 20 names, then the results.
    many = "name\n" + "".join(f"Trading House {n}\n" for n in range(45))
    streamed = _batch(site, many, name="many.csv")
    assert streamed.status_code == 200
    assert re.findall(r'<progress max="45" value="(\d+)"', streamed.text) == ["20", "40", "45"]
    assert "45 names screened" in _text(streamed.text)


def test_a_returned_application_is_edited_and_submitted_again(site: Site) -> None:
    app_path = _applied(site)
    site.post(APPLICANT, f"{app_path}/submit", {"version": _version(site, APPLICANT, app_path)})
    site.post(OFFICER, f"{app_path}/take", {"version": _version(site, OFFICER, app_path)})
    returned = site.post(
        OFFICER,
        f"{app_path}/decision",
        {
            "version": _version(site, OFFICER, app_path),
            "decision": "returned_without_action",
            "reason": "Name the end user's street address in full.",
        },
    )
    assert returned.status_code == 303
    form = site.browser(APPLICANT).get(f"{app_path}/edit")
    assert form.status_code == 200
    assert 'value="National Informatics Centre"' in form.text  # the form holds the document
    changed = {
        **_application_form(),
        "party0_address": "A-Block, CGO Complex, Lodhi Road, Pragati Vihar",
    }
    edit_version = _version(site, APPLICANT, f"{app_path}/edit")
    saved = site.post(APPLICANT, f"{app_path}/edit", {**changed, "version": edit_version})
    assert saved.status_code == 303, _text(saved.text)
    again = site.post(
        APPLICANT, f"{app_path}/submit", {"version": _version(site, APPLICANT, app_path)}
    )
    assert again.status_code == 303
    app_id = app_path.rsplit("/", 1)[1]
    view = site.api(APPLICANT, f"/api/v1/applications/{app_id}")
    assert view["state"] == "submitted"
    assert view["round"] == 2
    assert view["application"]["parties"][0]["address"].endswith("Pragati Vihar")
    # Another consortium can neither open the form nor post it.
    assert site.browser(OTHER_APPLICANT).get(f"{app_path}/edit").status_code == 404


def test_alerts_are_listed_explained_and_adjudicated_on_the_pages(site: Site) -> None:
    from tests.api.monitoring_batch import configured, finished, rows_of, upload

    license_id, day, _ = configured(site.service)
    answer = upload(site.service, license_id, rows_of(license_id, day))
    assert finished(site.service, answer.headers["Location"])["state"] == "succeeded"
    from_api = site.api(OFFICER, f"/api/v1/alerts?license={license_id}")["items"]
    assert from_api
    listed = site.browser(OFFICER).get(f"/alerts?license={license_id}").text
    for alert in from_api:
        assert f'href="/alerts/{alert["id"]}"' in listed
    # The partner government of the destination sees the same alerts on the license.
    assert f"{len(from_api)} alerts" in _text(
        site.browser(PARTNER).get(f"/licenses/{license_id}").text
    )
    restricted = next(a for a in from_api if a["check"] == "RESTRICTED_ACCESS")
    path = f"/alerts/{restricted['id']}"
    shown = _text(site.browser(OFFICER).get(path).text)
    assert restricted["explanation"] in shown
    assert "CN" in shown
    decided = site.post(
        OFFICER,
        f"{path}/adjudication",
        {
            "version": _version(site, OFFICER, path),
            "state": "confirmed",
            "reason": "Access from CN.",
        },
    )
    assert decided.status_code == 303, _text(decided.text)
    assert site.api(OFFICER, f"/api/v1{path}")["state"] == "confirmed"
    # Only officers adjudicate; another consortium does not see the alert at all.
    assert "Adjudicate" not in site.browser(PARTNER).get(path).text
    assert site.browser(OTHER_APPLICANT).get(path).status_code == 404


def test_odd_numbers_and_ragged_rows_are_refused_not_crashed(site: Site) -> None:
    assert site.browser().get("/menu?min_seal=²").status_code == 422
    form = {**_application_form(), "item0_quantity": "²"}
    refused = site.post(APPLICANT, "/applications/new", form)
    assert refused.status_code == 422
    assert "quantity" in _text(refused.text)
    license_id = site.service.licensed()
    ragged = {
        "date": "2026-12-10",
        "consignee": "x",
        "component": ["a", "b"],
        "quantity": ["1"],
        "value_usd": ["1"],
    }
    assert site.post(APPLICANT, f"/licenses/{license_id}/shipments", ragged).status_code == 422
    assert (
        site.post(OTHER_APPLICANT, f"/licenses/{license_id}/shipments", ragged).status_code == 404
    )
    # A change without the version the page showed is refused as such, not as a conflict.
    app_path = _applied(site)
    missing = site.post(APPLICANT, f"{app_path}/submit", {})
    assert missing.status_code == 422
    assert "reload the page" in _text(missing.text)


def test_the_public_learns_nothing_of_whether_an_id_exists(site: Site) -> None:
    app_id = site.service.submitted()
    license_id = site.service.licensed()
    public = site.browser()
    for real, made_up in (
        (f"/applications/{app_id}", "/applications/app_00000000000000000000"),
        (f"/licenses/{license_id}", "/licenses/lic_00000000000000000000"),
        (f"/applications/{app_id}/ledger", "/applications/app_00000000000000000000/ledger"),
    ):
        first = public.get(real, follow_redirects=False)
        second = public.get(made_up, follow_redirects=False)
        assert first.status_code == second.status_code == 303


def test_a_proposal_is_evaluated_scored_and_designated_through_the_pages(site: Site) -> None:
    proposal_id = site.service.submitted_proposal(package_id="web-regional-hub")
    path = f"/proposals/{proposal_id}"
    assert proposal_id in site.browser(ANALYST).get("/proposals").text
    evaluated = site.post(ANALYST, f"{path}/evaluate", {"version": _version(site, ANALYST, path)})
    assert evaluated.status_code == 303, _text(evaluated.text)
    form = site.browser(ANALYST).get(path).text
    criteria = re.findall(r'name="score_([^"]+)"', form)
    assert criteria
    scorecard = {f"score_{c}": "4" for c in criteria} | {
        f"reason_{c}": "judged on the file" for c in criteria
    }
    scored = site.post(ANALYST, f"{path}/score", scorecard)
    assert scored.status_code == 303, _text(scored.text)
    view = site.api(ANALYST, f"/api/v1{path}")
    assert view["score"]["mean_total"] == 80.0  # 4 of 5 on every criterion: 80 of 100
    assert "80.0 of 100" in _text(site.browser(ANALYST).get(path).text)
    warnings = re.findall(r'name="justify_([^"]+)"', site.browser(ANALYST).get(path).text)
    decision = {
        "version": _version(site, ANALYST, path),
        "decision": "designate",
        "reason": "Meets the call's terms.",
    } | {f"justify_{w}": "Accepted: see the file." for w in warnings}
    designated = site.post(ANALYST, f"{path}/decision", decision)
    assert designated.status_code == 303, _text(designated.text)
    assert site.api(ANALYST, f"/api/v1{path}")["state"] == "designated"
    assert 'href="/menu/web-regional-hub"' in site.browser().get("/menu").text
    # The consortium sees its proposal and the checks, and cannot score it.
    mine = site.browser(APPLICANT).get(path).text
    assert "The automatic checks" in mine
    assert "Record the scorecard" not in mine
    assert site.browser(OTHER_APPLICANT).get(path).status_code == 404


def test_the_partner_gets_the_apis_recommendation_on_its_page(site: Site) -> None:
    body = {
        "partner": "demo-partner-in",
        "country": "IN",
        "date": "2026-12-01",
        "buyer": {"name": "Ministry of Electronics", "type": "government"},
        "end_uses": ["public_services"],
        "sectors": ["public services"],
        "budget_usd": 600000000,
        "timeline_months": 36,
    }
    from_api = site.service.client.post(
        "/api/v1/recommendations", json=body, headers=site.service.as_(PARTNER)
    ).json()
    form = site.browser(PARTNER).get("/recommend").text
    assert 'value="demo-partner-in"' in form
    shown = site.post(
        PARTNER,
        "/recommend",
        {
            "partner": "demo-partner-in",
            "country": "IN",
            "date": "2026-12-01",
            "buyer_name": "Ministry of Electronics",
            "buyer_type": "government",
            "end_uses": ["public_services"],
            "sectors": ["public services"],
            "budget_usd": "600,000,000",
            "timeline_months": "36",
        },
    )
    assert shown.status_code == 200, _text(shown.text)
    ranked = re.findall(r'<th scope="row"><a href="/menu/([^"]+)">', shown.text)
    assert ranked == [p["package"] for p in from_api["packages"]]
    assert from_api["bundle"]["feasible"]
    for package in from_api["bundle"]["packages"]:
        assert f'href="/menu/{package}"' in shown.text
    refused = site.post(
        PARTNER, "/recommend", {"partner": "x", "country": "IN", "budget_usd": "lots"}
    )
    assert refused.status_code == 422
    assert "budget_usd" in _text(refused.text)


def test_the_program_office_sees_outcomes_per_package_and_country(site: Site) -> None:
    site.service.licensed()
    denied = site.service.submitted()
    assert site.service.act(denied, "take", OFFICER).status_code == 200
    body = {"decision": "denied", "reason": "No."}
    assert site.service.act(denied, "decision", OFFICER, body).status_code == 200
    shown = _text(site.browser(ANALYST).get("/outcomes").text)
    # sovereign-llm-cloud: 2 submitted, 1 approved, 1 denied, 0 returned, 0 withdrawn,
    # 0 pending, 1 active license.
    assert "sovereign-llm-cloud 2 1 1 0 0 0 1" in shown
    assert "India 2 1 1 0 0 0 1" in shown
    assert site.browser(APPLICANT).get("/outcomes").status_code == 403
    assert site.browser(PARTNER).get("/outcomes").status_code == 403


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_dossier_downloads_as_a_pdf_with_the_determination(site: Site) -> None:
    form = {
        "reference": "dossier-check",
        "date": "2026-12-01",
        "package": "frontier-compute-cluster",
        "destination": "AE",
        "party0_role": "end_user",
        "party0_name": "Мехр Трейдинг",
        "party0_country": "AE",
        "party0_type": "private",
        "end_uses": ["research"],
        "compare_policy": "ai-diffusion-2025",
        "format": "pdf",
    }
    answer = site.post(OFFICER, "/assess", form)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="dossier-dossier-check.pdf"' in answer.headers["content-disposition"]
    text = _pdf_text(answer.content)
    deal = {k: form[k] for k in ("date", "package", "destination")} | {
        "id": "dossier-check",
        "end_uses": ["research"],
        "parties": [
            {"role": "end_user", "name": "Мехр Трейдинг", "country": "AE", "type": "private"}
        ],
    }
    from_api = site.service.client.post(
        "/api/v1/assessments?compare_policy=ai-diffusion-2025",
        json=deal,
        headers=site.service.as_(OFFICER),
    ).json()
    assert "Мехр Трейдинг" in text  # Cyrillic prints as written
    assert from_api["determination"]["decision_id"][:40] in text.replace(" ", "")
    for finding in from_api["determination"]["findings"] + from_api["other"]["findings"]:
        assert finding["rule"] in text.replace(" ", "")
    for condition in from_api["determination"]["conditions"]:
        assert condition["id"] in text.replace(" ", "")
    assert "What if: under ai-diffusion-2025" in text


def test_an_applications_dossier_is_its_latest_determination(site: Site) -> None:
    app_id = site.service.submitted()
    view = site.api(APPLICANT, f"/api/v1/applications/{app_id}")
    answer = site.browser(APPLICANT).get(f"/applications/{app_id}/dossier.pdf")
    assert answer.headers["content-type"] == "application/pdf"
    text = _pdf_text(answer.content).replace(" ", "")
    assert view["determinations"][-1]["decision_id"][:40] in text
    assert app_id in text
    assert (
        site.browser(OTHER_APPLICANT).get(f"/applications/{app_id}/dossier.pdf").status_code == 404
    )


def test_an_officer_amends_a_license_and_an_analyst_suspends_a_package(site: Site) -> None:
    license_id = site.service.licensed()
    path = f"/licenses/{license_id}"
    item = site.api(OFFICER, f"/api/v1{path}")["items"][0]
    amended = site.post(
        OFFICER,
        f"{path}/amend",
        {
            "version": _version(site, OFFICER, path),
            "valid_until": "2029-12-31",
            "component": item["component"],
            "quantity": "80",
            "value_usd": "2400000",
            "conditions": "OFF-AUDIT: An annual audit of the cluster's tenants.",
            "reason": "Scope reduced at the licensee's request.",
        },
    )
    assert amended.status_code == 303, _text(amended.text)
    view = site.api(OFFICER, f"/api/v1{path}")
    assert view["valid_until"] == "2029-12-31"
    assert view["items"][0]["quantity"] == 80
    assert "OFF-AUDIT" in {c["id"] for c in view["conditions"]}
    # A package suspended from its page leaves the menu's designated packages.
    suspended = site.post(ANALYST, "/menu/grid-operations-ai/suspend", {"reason": "Under review."})
    assert suspended.status_code == 303, _text(suspended.text)
    listed = {i["id"]: i["status"] for i in site.api(ANALYST, "/api/v1/menu")["items"]}
    assert listed["grid-operations-ai"] == "suspended"
    assert (
        site.post(APPLICANT, "/menu/grid-operations-ai/retire", {"reason": "x"}).status_code == 403
    )


def test_the_application_page_shows_each_partys_screening(site: Site) -> None:
    from tests.api.conftest import REVIEW_BAND_PARTY

    app_id = site.service.submitted(parties=[REVIEW_BAND_PARTY])
    shown = _text(site.browser(OFFICER).get(f"/applications/{app_id}").text)
    assert re.search(r"RPS_REVIEW ?: MAHER TRADING AND CONSTRUCTION COMPANY +review", shown)


def test_saving_the_edit_form_keeps_what_the_form_does_not_show(site: Site) -> None:
    parties = [
        {**APPLICATION["parties"][0], "headquarters": "CN"},
        *(
            {
                "role": role,
                "name": f"Party {n}",
                "address": "1 Road",
                "city": "Delhi",
                "postal_code": "110001",
                "country": "IN",
                "type": "private",
                "phone": "+91 1",
            }
            for n, role in ((2, "ultimate_consignee"), (3, "purchaser"))
        ),
        {
            "role": "intermediate_consignee",
            "name": "Gulf Freight FZE",
            "address": "Jebel Ali",
            "city": "Dubai",
            "postal_code": "00000",
            "country": "AE",
            "type": "private",
            "phone": "+971 4",
        },
    ]
    items = [{**APPLICATION["items"][0], "unit": "racks"}]
    app_id = site.service.new_application(parties=parties, items=items)
    path = f"/applications/{app_id}"
    form = site.browser(APPLICANT).get(f"{path}/edit").text
    # Post the form back exactly as it was rendered.
    values = dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', form))
    values |= dict(
        re.findall(
            r'name="([^"]+)">(?:(?!</select>).)*?<option value="([^"]*)" selected', form, re.S
        )
    )
    values["end_uses"] = re.findall(r'name="end_uses" value="([^"]+)" checked', form)
    values["date"] = re.search(r'name="date" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
    values["specific_end_use"] = APPLICATION["specific_end_use"]
    values["version"] = _version(site, APPLICANT, f"{path}/edit")
    saved = site.post(APPLICANT, f"{path}/edit", values)
    assert saved.status_code == 303, _text(saved.text)
    after = site.api(APPLICANT, f"/api/v1{path}")["application"]
    assert after["parties"] == parties
    assert after["items"][0]["unit"] == "racks"
    # A refused edit goes back to the form with what was typed, and changes nothing.
    bad = values | {
        "party0_type": "pirate",
        "party0_city": "New Delhi (Central)",
        "version": _version(site, APPLICANT, f"{path}/edit"),
    }
    refused = site.post(APPLICANT, f"{path}/edit", bad)
    assert refused.status_code == 422
    assert 'value="New Delhi (Central)"' in refused.text
    assert "Save the changes" in refused.text
    assert site.api(APPLICANT, f"/api/v1{path}")["application"]["parties"] == parties


def test_the_transparency_page_keeps_a_withheld_count_withheld(site: Site) -> None:
    for _ in range(5):
        site.service.licensed()
    denied = site.service.submitted()
    assert site.service.act(denied, "take", OFFICER).status_code == 200
    body = {"decision": "denied", "reason": "No."}
    assert site.service.act(denied, "decision", OFFICER, body).status_code == 200
    shown = _text(site.browser().get("/transparency").text)
    assert "denied fewer than 5" in shown
    # "6 decisions" with "approved with conditions 5" would say that one was denied.
    assert "decisions within it" not in shown
    assert "days with the agency, against a target of 90" in shown


def test_refusals_and_dead_ends_found_in_review(site: Site) -> None:
    # A lone carriage return ends a line (old Mac files), and a cell the CSV reader will
    # not read is a refusal naming the line, not a crash.
    lone_cr = _batch(site, b"name\nab\rc\n")
    assert lone_cr.status_code == 200
    assert "2 names screened" in _text(lone_cr.text)
    huge_cell = b'name\nAcme\n"' + b"x" * 140_000 + b'"\n'
    unread = _batch(site, huge_cell)
    assert unread.status_code == 422
    assert "names.csv line 3" in _text(unread.text)
    # A file over the page's limit is refused on the page, not by a JSON problem.
    big = b"name\n" + b"Acme Trading House Limited\n" * 45_000
    refused = _batch(site, big, name="big.csv")
    assert refused.status_code == 422
    assert "at most 1 MB" in _text(refused.text)
    # A date of birth in other digits is refused under the form's own field name.
    dob = site.post(OFFICER, "/screen", {"name": "Ali Hassan", "date_of_birth": "١٩٩٠"})
    assert dob.status_code == 422
    assert "date_of_birth" in _text(dob.text)
    # A submitted application is not offered for editing.
    app_id = site.service.submitted()
    assert site.browser(APPLICANT).get(f"/applications/{app_id}/edit").status_code == 409
    # A retired package has left the menu: its record is on the transparency page.
    retired = site.post(ANALYST, "/menu/grid-operations-ai/retire", {"reason": "Withdrawn."})
    assert retired.headers["location"] == "/transparency"
    # Requirements no package meets say so.
    none_fit = site.post(
        PARTNER,
        "/recommend",
        {
            "partner": "demo-partner-in",
            "country": "IN",
            "date": "2026-12-01",
            "buyer_name": "Ministry",
            "buyer_type": "government",
            "end_uses": ["public_services"],
            "sectors": ["public services"],
            "budget_usd": "1",
            "timeline_months": "36",
        },
    )
    assert none_fit.status_code == 200
    assert re.search(
        r"No package on the menu fits|No bundle meets every requirement", _text(none_fit.text)
    )


def test_an_officers_adjudication_shows_in_an_application_without_who_or_why(site: Site) -> None:
    from tests.api.conftest import REVIEW_BAND_PARTY

    site.service.adjudicated(OFFICER, reason="SECRET-REASON: the registry shows another firm")
    app_id = site.service.submitted(parties=[REVIEW_BAND_PARTY])
    for who in (APPLICANT, PARTNER):
        page = site.browser(who).get(f"/applications/{app_id}").text
        assert "SECRET-REASON" not in page
        assert "officer-1" not in page
        api = site.service.client.get(
            f"/api/v1/applications/{app_id}", headers=site.service.as_(who)
        )
        assert "SECRET-REASON" not in api.text
        assert "cleared as a false positive by the program" in api.text
    assert "SECRET-REASON" in site.browser(OFFICER).get(f"/applications/{app_id}").text


def test_every_choice_in_the_forms_reads_as_words(site: Site) -> None:
    for path, word in (
        ("/assess", "end user"),
        ("/applications/new", "ultimate consignee"),
        ("/recommend", "law enforcement"),
    ):
        who = APPLICANT if path == "/applications/new" else OFFICER
        form = site.browser(who).get(path).text
        options = re.findall(r"<option [^>]*>([^<]*)</option>", form)
        assert not [o for o in options if "built-in" in o or "method" in o], path
        assert word in options, path
