"""Server time per web page on the demo data, beside the API call that returns the same
result (the baseline: the page adds the template and the frame).

    python benchmarks/web_pages.py [--rounds 30]

A fresh home with the demo organisations, 12 applications (3 licensed, 3 denied, the rest
waiting) and one shipment; each page is requested ``--rounds`` times in process (Starlette's
test client: routing, session lookup, use case, template, no network), alternating page
and API call so both see the same machine state. Goal (issue): median < 50 ms per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from aiexports.api.app import create_app  # noqa: E402
from aiexports.runtime import Runtime  # noqa: E402
from aiexports.services.accounts import seed_demo  # noqa: E402
from aiexports.settings import Settings  # noqa: E402
from tests.api.conftest import APPLICATION  # noqa: E402
from tests.web.conftest import demo_password, sign_in  # noqa: E402

APPLICANT = "demo-consortium-a/applicant"
OFFICER = "demo-agency/officer-1"


def _populate(client: TestClient, tokens: dict[str, str]) -> tuple[str, str]:
    def as_(who: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}", **more}

    def act(app_id: str, action: str, who: str, body: Any = None) -> Any:
        etag = client.get(f"/api/v1/applications/{app_id}", headers=as_(who)).headers["ETag"]
        return client.post(
            f"/api/v1/applications/{app_id}/{action}",
            json=body,
            headers=as_(who, **{"If-Match": etag}),
        ).json()

    license_id = app_id = ""
    for index in range(12):
        body = {**APPLICATION, "reference": f"BENCH-{index:03d}"}
        app_id = client.post("/api/v1/applications", json=body, headers=as_(APPLICANT)).json()["id"]
        act(app_id, "submit", APPLICANT)
        if index < 6:
            act(app_id, "take", OFFICER)
            decision = "approved_with_conditions" if index < 3 else "denied"
            decided = act(app_id, "decision", OFFICER, {"decision": decision, "reason": "bench"})
            license_id = decided.get("license") or license_id
    view = client.get(f"/api/v1/licenses/{license_id}", headers=as_(APPLICANT)).json()
    client.post(
        f"/api/v1/licenses/{license_id}/acknowledgments",
        json={"conditions": [c["id"] for c in view["conditions"]]},
        headers=as_(APPLICANT),
    )
    item = view["items"][0]
    client.post(
        f"/api/v1/licenses/{license_id}/shipments",
        json={
            "date": "2026-12-10",
            "consignee": "bench",
            "items": [{"component": item["component"], "quantity": 10, "value_usd": 300000}],
        },
        headers=as_(APPLICANT),
    )
    return app_id, license_id


def _signed_in(app: Any, home: Path, who: str) -> TestClient:
    client = TestClient(app)
    sign_in(client, who, demo_password(home, who))
    return client


def _median_ms(client: TestClient, path: str, headers: dict[str, str] | None, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        answer = client.get(path, headers=headers, follow_redirects=False)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        runtime = Runtime(Settings(home=home))
        store = runtime.service_store
        path = seed_demo(store, home)
        assert path is not None
        tokens = {
            f"{t['organization']}/{t['user']}": t["token"] for t in json.loads(path.read_text())
        }
        app = create_app(runtime, store)
        with TestClient(app) as api:
            app_id, license_id = _populate(api, tokens)
            officer = _signed_in(app, home, OFFICER)
            auditor = _signed_in(app, home, "demo-auditor/auditor")
            public = TestClient(app)
            bearer = {"Authorization": f"Bearer {tokens[OFFICER]}"}
            pages = [
                ("menu", public, "/menu", "/api/v1/menu"),
                (
                    "package",
                    public,
                    "/menu/sovereign-llm-cloud",
                    "/api/v1/menu/sovereign-llm-cloud",
                ),
                (
                    "compare",
                    public,
                    "/compare?ids=sovereign-llm-cloud&ids=grid-operations-ai",
                    None,
                ),
                ("partner", public, "/partners/IN", "/api/v1/partners/IN"),
                ("policy", public, "/policies/us-baseline", "/api/v1/policies/us-baseline"),
                ("transparency", public, "/transparency", None),
                ("queue", officer, "/queue", "/api/v1/queue"),
                ("applications", officer, "/applications", "/api/v1/applications"),
                (
                    "application",
                    officer,
                    f"/applications/{app_id}",
                    f"/api/v1/applications/{app_id}",
                ),
                ("license", officer, f"/licenses/{license_id}", f"/api/v1/licenses/{license_id}"),
                ("assess form", officer, "/assess", None),
                ("alerts", officer, "/alerts", "/api/v1/alerts"),
                ("outcomes", officer, "/outcomes", None),
                ("audit", auditor, "/audit", None),
            ]
            rows = []
            for name, client, page_path, api_path in pages:
                client.get(page_path)  # warm: templates compiled, caches filled
                page_ms = _median_ms(client, page_path, None, args.rounds)
                api_ms = _median_ms(api, api_path, bearer, args.rounds) if api_path else None
                rows.append(
                    {
                        "page": name,
                        "path": page_path,
                        "page_ms": round(page_ms, 2),
                        "api_ms": round(api_ms, 2) if api_ms else None,
                        "ratio": round(page_ms / api_ms, 2) if api_ms else None,
                    }
                )
            officer.close()
            auditor.close()
            public.close()
    print(f"{'page':14} {'page ms':>8} {'API ms':>8} {'ratio':>6}")
    for r in rows:
        api_text = f"{r['api_ms']:8.2f}" if r["api_ms"] else "       —"
        ratio = f"{r['ratio']:6.2f}" if r["ratio"] else "     —"
        print(f"{r['page']:14} {r['page_ms']:8.2f} {api_text} {ratio}")
    overall = statistics.median(r["page_ms"] for r in rows)
    slowest = max(r["page_ms"] for r in rows)
    print(f"median over pages: {overall:.2f} ms (goal < 50 ms); slowest {slowest:.2f} ms")
    out = ROOT / "benchmarks" / "results" / "web_pages.json"
    out.write_text(
        json.dumps({"rounds": args.rounds, "pages": rows, "median_ms": overall}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
