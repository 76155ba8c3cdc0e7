"""The web application in real headless Chromium (Debian's ``chromium``, driven by
Playwright through ``executable_path``): each role's journey through the pages, refusals,
axe-core on every page visited, and screenshots at 360 px and 1280 px.

Skipped when Playwright or the browser is missing (``.ci/run`` installs both and fails if
these tests were skipped: their names carry ``browser``)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.api.conftest import APPLICATION, Service, build_service
from tests.web.conftest import demo_password

CHROMIUM = os.environ.get("AIEXPORTS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
WIDTHS = (360, 1280)

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


@dataclass
class Live:
    """The service on a real port, and a browser to visit it with."""

    service: Service
    home: Path
    base: str
    browser: Any

    def visitor(self, who: str | None = None, width: int = 1280) -> Any:
        """A page in a browser context of its own, signed in as ``who`` through the form."""
        context = self.browser.new_context(
            viewport={"width": width, "height": 900},
            bypass_csp=True,  # axe is injected
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        if who is not None:
            page.goto(f"{self.base}/login")
            page.get_by_label("User name").fill(who)
            page.get_by_label("Password").fill(demo_password(self.home, who))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{self.base}/")
        return page

    def check(self, page: Any, name: str) -> None:
        """axe-core on the page as it is (no serious or critical violation), and its
        screenshot at each width."""
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        grave = [v for v in found if v["impact"] in ("serious", "critical")]
        assert grave == [], f"{name}: {grave}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size(size)


def _done(page: Any, action: str) -> None:
    """Wait for the page's confirmation of ``action``; show the page's errors if none came."""
    try:
        page.get_by_text(f"Done: {action}.").wait_for()
    except playwright_api.TimeoutError:
        errors = page.locator(".alert").all_inner_texts()
        raise AssertionError(f"{action} not confirmed at {page.url}: {errors}") from None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("browser")
    home = folder / "home"
    service = build_service(f"sqlite:///{folder / 'service.db'}", home)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(service.client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield Live(service, home, f"http://127.0.0.1:{port}", browser)
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)
    service.runtime.close()


APPLICANT = "demo-consortium-a/applicant"
OFFICER = "demo-agency/officer-1"
PARTNER = "demo-partner-in/viewer"
AUDITOR = "demo-auditor/auditor"


def test_browser_each_role_walks_its_journey(live: Live) -> None:
    base = live.base
    # A consortium applies for a license under a package it finds on the menu.
    consortium = live.visitor(APPLICANT)
    consortium.goto(f"{base}/menu")
    live.check(consortium, "menu-signed-in")
    # Filters apply as they are chosen (htmx swaps the results and keeps the URL).
    consortium.get_by_label("Sector").select_option("finance")
    consortium.wait_for_url("**/menu?*sector=finance*")
    finance = live.service.client.get("/api/v1/menu", headers=live.service.as_(APPLICANT)).json()[
        "items"
    ]
    wanted = sum(1 for item in finance if "finance" in item["sectors"])
    consortium.locator("#menu-results > p").filter(has_text=f"{wanted} of ").wait_for()
    assert consortium.locator("#menu-results h2").count() == wanted
    consortium.get_by_role("link", name="Clear filters").click()
    consortium.locator("h2 a[href='/menu/sovereign-llm-cloud']").click()
    live.check(consortium, "package")
    consortium.get_by_role("link", name="Apply for a license under this package").click()
    party = APPLICATION["parties"][0]
    consortium.get_by_label("Your reference").fill("WEB-2026-001")
    consortium.locator("#destination").select_option("IN")
    consortium.locator("#party0_name").fill(party["name"])
    consortium.locator("#party0_address").fill(party["address"])
    consortium.locator("#party0_city").fill(party["city"])
    consortium.locator("#party0_postal_code").fill(party["postal_code"])
    consortium.locator("#party0_country").select_option("IN")
    consortium.locator("#party0_phone").fill(party["phone"])
    consortium.get_by_label("public services").check()
    consortium.get_by_label("Specific end use").fill(APPLICATION["specific_end_use"])
    consortium.locator("#item0_quantity").fill("100")
    consortium.locator("#item0_unit_value_usd").fill("30000")
    consortium.locator("#item0_total_value_usd").fill("3000000")
    live.check(consortium, "application-new")
    consortium.get_by_role("button", name="Save the draft").click()
    _done(consortium, "created")
    consortium.get_by_role("button", name="Submit to the agency").click()
    _done(consortium, "submit")
    live.check(consortium, "application-submitted")
    application_url = consortium.url.split("?")[0]

    # An officer takes it from the queue and approves it with a condition of its own.
    officer = live.visitor(OFFICER)
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    live.check(officer, "queue")
    officer.get_by_role("link", name="WEB-2026-001").click()
    officer.get_by_role("button", name="Take for review").click()
    _done(officer, "take")
    officer.get_by_label("approved with conditions").check()
    officer.get_by_label("Reason").fill("Within the program's terms for India.")
    officer.get_by_label("Your conditions").fill("OFF-ONSITE: Quarterly on-site end-use checks.")
    live.check(officer, "decision-form")
    officer.get_by_role("button", name="Record the decision").click()
    _done(officer, "decision")
    license_link = officer.locator("a[href^='/licenses/lic_']").first
    license_url = base + str(license_link.get_attribute("href"))

    # The consortium acknowledges the conditions and ships 40 of the 100 units.
    consortium.goto(license_url)
    live.check(consortium, "license")
    assert consortium.get_by_text("OFF-ONSITE").count() >= 1
    consortium.get_by_role("button", name="Acknowledge the chosen conditions").click()
    _done(consortium, "acknowledgments")
    consortium.get_by_label("Consignee").fill(party["name"])
    consortium.get_by_label("Quantity", exact=True).fill("40")
    consortium.get_by_label("Value (US$)").fill("1200000")
    consortium.get_by_role("button", name="Record the shipment").click()
    _done(consortium, "shipments")
    assert consortium.get_by_text("Shipped 40 of 100 units").count() == 1
    consortium.goto(application_url)
    consortium.get_by_role("button", name="Record the ledger now").click()
    _done(consortium, "record")

    # The partner government sees the deal bound for India and co-signs its ledger.
    partner = live.visitor(PARTNER)
    partner.get_by_role("navigation", name="Main").get_by_role("link", name="Licenses").click()
    live.check(partner, "licenses-partner")
    assert partner.locator(f"a[href='{license_url.removeprefix(base)}']").count() == 1
    partner.goto(application_url + "/ledger")
    partner.get_by_role("button", name="Co-sign for the partner government").click()
    _done(partner, "cosign")
    live.check(partner, "ledger")

    # The auditor follows the trail; the chain verifies.
    auditor = live.visitor(AUDITOR)
    auditor.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    auditor.get_by_text("The chain verifies").wait_for()
    assert auditor.get_by_text("license.ship").count() >= 1
    live.check(auditor, "audit")


def test_browser_other_organisations_urls_answer_404_and_forms_need_their_token(
    live: Live,
) -> None:
    app_id = live.service.submitted()
    other = live.visitor("demo-consortium-b/applicant")
    answer = other.goto(f"{live.base}/applications/{app_id}")
    assert answer is not None
    assert answer.status == 404
    live.check(other, "not-found")
    own = live.visitor(APPLICANT)
    own.goto(f"{live.base}/applications/{app_id}")
    version = re.search(r'name="version" value="(\d+)"', own.content())
    assert version is not None
    refused = own.request.post(
        f"{live.base}/applications/{app_id}/withdraw", form={"version": version.group(1)}
    )
    assert refused.status == 403
    assert "CSRF" in refused.text()


def test_browser_every_public_and_work_page_passes_axe(live: Live) -> None:
    live.service.licensed()
    public = live.visitor()
    for name, path in (
        ("menu", "/menu"),
        ("menu-filtered", "/menu?sector=finance&min_seal=1"),
        ("package-grid", "/menu/grid-operations-ai"),
        (
            "compare",
            "/compare?ids=sovereign-llm-cloud&ids=grid-operations-ai&ids=clinical-ai-network",
        ),
        ("partners", "/partners"),
        ("partner-in", "/partners/IN"),
        ("policies", "/policies"),
        ("policy", "/policies/us-baseline"),
        ("transparency", "/transparency"),
        ("login", "/login"),
    ):
        answer = public.goto(live.base + path)
        assert answer is not None
        assert answer.status == 200, path
        live.check(public, name)
    officer = live.visitor(OFFICER)
    for name, path in (
        ("start", "/"),
        ("assess", "/assess"),
        ("screen", "/screen"),
        ("applications", "/applications"),
        ("licenses", "/licenses"),
    ):
        officer.goto(live.base + path)
        live.check(officer, name)
    officer.goto(f"{live.base}/assess?package=frontier-compute-cluster&destination=AE")
    officer.locator("#party0_name").fill("Mehr Trading Company")
    officer.locator("#party0_country").select_option("AE")
    officer.locator("#party0_type").select_option("private")
    officer.get_by_label("research").check()
    officer.locator("#compare_policy").select_option("ai-diffusion-2025")
    officer.get_by_role("button", name="Assess").click()
    officer.get_by_text("What if: under ai-diffusion-2025").wait_for()
    live.check(officer, "assessment-result")
    officer.goto(f"{live.base}/screen")
    officer.get_by_label("Name", exact=True).fill("Maher Trading and Construction")
    officer.get_by_role("button", name="Screen", exact=True).click()
    officer.get_by_text("Results for").wait_for()
    live.check(officer, "screening-result")
    officer.goto(f"{live.base}/screen")
    names = "name,country\n" + "".join(f"Trading House {n},IN\n" for n in range(30))
    officer.locator("#file").set_input_files(
        files=[{"name": "names.csv", "mimeType": "text/csv", "buffer": names.encode()}]
    )
    officer.get_by_role("button", name="Screen the file").click()
    officer.get_by_role("status").filter(has_text="30 names screened;").wait_for()
    assert officer.locator(".steps .step").count() == 2  # 20, then 30
    live.check(officer, "screening-batch")
    officer.goto(f"{live.base}/alerts")
    live.check(officer, "alerts")
    officer.goto(f"{live.base}/outcomes")
    live.check(officer, "outcomes")
    proposal_id = live.service.submitted_proposal(package_id="browser-hub")
    analyst = live.visitor("demo-program-office/analyst")
    analyst.goto(f"{live.base}/proposals")
    live.check(analyst, "proposals")
    analyst.goto(f"{live.base}/proposals/{proposal_id}")
    analyst.get_by_role("button", name="Take under evaluation").click()
    _done(analyst, "evaluate")
    live.check(analyst, "proposal-scoring")
    partner = live.visitor(PARTNER)
    partner.goto(f"{live.base}/recommend")
    partner.get_by_label("public services").first.check()
    partner.locator("input[name=sectors][value='public services']").check()
    partner.get_by_label("Budget (US$)").fill("600000000")
    partner.get_by_role("button", name="Recommend").click()
    partner.get_by_text("The recommended bundle").wait_for()
    live.check(partner, "recommendations")
    partner.goto(f"{live.base}/audit")  # not the partner's to read: the refusal is a page too
    live.check(partner, "forbidden")

    # The officer's views of a license (amend, suspend, revoke) and of an alert.
    from tests.api.monitoring_batch import configured, finished, rows_of, upload

    license_id, day, _ = configured(live.service)
    job = upload(live.service, license_id, rows_of(license_id, day))
    assert finished(live.service, job.headers["Location"])["state"] == "succeeded"
    officer.goto(f"{live.base}/licenses/{license_id}")
    live.check(officer, "license-officer")
    officer.goto(f"{live.base}/alerts?license={license_id}")
    officer.locator("a[href^='/alerts/']").first.click()
    officer.get_by_role("heading", name="Adjudicate").wait_for()
    live.check(officer, "alert")
    # A draft edited by its consortium.
    draft = live.service.new_application()
    consortium = live.visitor(APPLICANT)
    consortium.goto(f"{live.base}/applications/{draft}/edit")
    live.check(consortium, "application-edit")
