"""The service under load from a second process on loopback, next to the in-process rate.

    python benchmarks/api_load.py [--seconds 10] [--connections 16] [--postgres URL]

For SQLite (the embedded default) and PostgreSQL (when ``--postgres`` or
``AIEXPORTS_TEST_POSTGRES_URL`` names a server; a schema of its own is made and dropped):

* starts ``aiexports serve --workers 2`` (one process per core) on a fresh database;
* assessments: ``wrk`` (Debian's package) posts 500 varied deals round-robin over
  ``--connections`` keep-alive connections for ``--seconds``: requests/s, p50/p99;
* submissions: a second Python process with one thread per connection creates and submits
  applications (every party screened, the policy decides, the audit chain appended) as fast
  as it can: submissions/s, p50/p99 of the submit call;
* in-process: the same deals decided by the same use case in this process (no HTTP), on one
  core, for the ratio; and, after the server has stopped, the same create + submit use cases
  called in this process on the same database, one at a time.

Goals (issue): ≥ 800 assessments/s with p99 < 50 ms; ≥ 200 submissions/s with p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _deals(count: int) -> list[dict[str, Any]]:
    from aiexports.runtime import Runtime
    from deal_generator import deals

    menu = Runtime.from_environment().reference.menu
    return list(deals(count, menu, 11))


def _in_process(bodies: list[dict[str, Any]]) -> float:
    from aiexports.runtime import Runtime
    from aiexports.services.deals import deal_from_json

    runtime = Runtime.from_environment()
    assessor = runtime.assessor()
    for body in bodies[:50]:  # warm: indexes built, first screenings cached
        assessor.decide(deal_from_json(body, runtime.countries))
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < 3:
        for body in bodies:
            assessor.decide(deal_from_json(body, runtime.countries)).contract()
        rounds += 1
    return rounds * len(bodies) / (time.perf_counter() - started)


def _in_process_submissions(env: dict[str, str], token: str, seconds: float = 3) -> float:
    """Create + submit per second through the use cases, on the database of ``env``."""
    from aiexports.api.app import SERVICE_LIST_RECHECK_SECONDS
    from aiexports.runtime import Runtime
    from aiexports.services.accounts import authenticate
    from aiexports.services.licensing import Licensing
    from aiexports.settings import Settings

    url = env.get("AIEXPORTS_DATABASE_URL")
    settings = Settings(home=Path(env["AIEXPORTS_HOME"]), **({"database_url": url} if url else {}))
    runtime = Runtime(settings)
    runtime.list_recheck_seconds = SERVICE_LIST_RECHECK_SECONDS  # as the service runs it
    try:
        licensing = Licensing(runtime.service_store, runtime)
        who = authenticate(runtime.service_store, token)

        def once(reference: str) -> None:
            made = licensing.create_application(who, {**APPLICATION, "reference": reference})
            licensing.submit(who, made["id"], '"1"')

        for n in range(20):  # warm: the index built, the parties' screenings cached
            once(f"WARM-{n}")
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            once(f"IN-{done}")
            done += 1
        return done / (time.perf_counter() - started)
    finally:
        runtime.close()


def _lua(bodies: list[dict[str, Any]], token: str) -> str:
    texts = ",\n".join("[==[" + json.dumps(b) + "]==]" for b in bodies)
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
bodies = {{ {texts} }}
counter = 0
request = function()
  counter = counter % #bodies + 1
  return wrk.format(nil, "/api/v1/assessments", nil, bodies[counter])
end
"""


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(base: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "per_second": round(rate, 1),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


SUBMITTER = r"""
import http.client, json, sys, threading, time
port, token = int(sys.argv[1]), sys.argv[2]
seconds, connections = float(sys.argv[3]), int(sys.argv[4])
application = json.loads(sys.argv[5])
latencies, failures = [], []
lock = threading.Lock()
def work():
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    body = json.dumps(application)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        connection.request("POST", "/api/v1/applications", body, headers)
        answer = connection.getresponse(); created = json.loads(answer.read())
        started = time.perf_counter()
        connection.request("POST", "/api/v1/applications/%s/submit" % created["id"], None,
                           {**headers, "If-Match": '"1"'})
        answer = connection.getresponse(); answer.read()
        took = time.perf_counter() - started
        with lock:
            (latencies if answer.status == 200 else failures).append(took)
threads = [threading.Thread(target=work) for _ in range(connections)]
started = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - started
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(json.dumps({"per_second": round(len(latencies) / elapsed, 1), "p50_ms": round(pick(0.5), 1),
                  "p99_ms": round(pick(0.99), 1), "failed": len(failures)}))
"""

APPLICATION = {
    "reference": "LOAD",
    "date": "2026-12-01",
    "package": "sovereign-llm-cloud",
    "destination": "IN",
    "parties": [
        {
            "role": "end_user",
            "name": "National Informatics Centre",
            "country": "IN",
            "type": "government",
        },
        {
            "role": "purchaser",
            "name": "Bharat Cloud Services Ltd",
            "country": "IN",
            "type": "state_owned",
        },
    ],
    "end_uses": ["public_services"],
    "items": [{"component": "slc-gpu-servers", "quantity": 64, "total_value_usd": 1920000}],
}


def _database(kind: str, url: str | None, home: Path) -> tuple[dict[str, str], Any]:
    env = {**os.environ, "AIEXPORTS_HOME": str(home)}
    env.pop("AIEXPORTS_DATABASE_URL", None)
    if kind == "sqlite":
        return env, None
    from sqlalchemy import create_engine, text

    from aiexports.storage.database import normalize_url

    assert url is not None
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(url))
    with admin.begin() as db:
        db.execute(text(f'CREATE SCHEMA "{schema}"'))
    env["AIEXPORTS_DATABASE_URL"] = f"{normalize_url(url)}?options=-csearch_path%3D{schema}"
    return env, (admin, schema)


def _tokens(env: dict[str, str], home: Path, kind: str) -> dict[str, str]:
    if kind == "sqlite":
        tokens = json.loads((home / "demo-tokens.json").read_text())
        return {t["user"]: t["token"] for t in tokens if t["user"] in ("officer-1", "applicant")}
    aiexports = str(BIN / "aiexports")
    for org, kind_ in (("load-agency", "licensing_agency"), ("load-consortium", "consortium")):
        subprocess.run(
            [aiexports, "orgs", "create", "--slug", org, "--kind", kind_],
            env=env,
            check=True,
            capture_output=True,
        )
    found = {}
    for org, name, role in (
        ("load-agency", "officer-1", "officer"),
        ("load-consortium", "applicant", "applicant"),
    ):
        made = subprocess.run(
            [aiexports, "users", "create", "--org", org, "--name", name, "--role", role],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        found[name] = json.loads(made.stdout)["token"]
    return found


def _run(
    kind: str, url: str | None, bodies: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        env, cleanup = _database(kind, url, home)
        port = _free_port()
        server = subprocess.Popen(
            [str(BIN / "aiexports"), "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            time.sleep(3)  # every worker process up and its index loaded
            tokens = _tokens(env, home, kind)
            script = Path(folder) / "assess.lua"
            script.write_text(_lua(bodies, tokens["officer-1"]))
            # Warm-up: every worker has built its index, screened the parties, filled its pool.
            _wrk(base, script, args.warmup, args.connections)
            assessments = _wrk(base, script, args.seconds, args.connections)
            submitted = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    SUBMITTER,
                    str(port),
                    tokens["applicant"],
                    str(args.seconds),
                    str(args.connections),
                    json.dumps(APPLICATION),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            server.terminate()
            server.wait(timeout=30)
            return {
                "assessments": assessments,
                "submissions": json.loads(submitted.stdout),
                "in_process_submissions_per_second (one thread, no HTTP)": round(
                    _in_process_submissions(env, tokens["applicant"]), 1
                ),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
            if cleanup is not None:
                admin, schema = cleanup
                from sqlalchemy import text

                with admin.begin() as db:
                    db.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="aiexports serve --workers")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of load before measuring")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database")
    parser.add_argument("--postgres", default=os.environ.get("AIEXPORTS_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    bodies = _deals(500)
    report: dict[str, Any] = {
        "in_process_assessments_per_second (one core, no HTTP)": round(_in_process(bodies), 1)
    }
    for kind in ("sqlite", "postgresql"):
        if (kind == "postgresql" and not args.postgres) or args.only not in (None, kind):
            continue
        result = _run(kind, args.postgres, bodies, args)
        result["http_over_in_process"] = round(
            result["assessments"]["per_second"]
            / report["in_process_assessments_per_second (one core, no HTTP)"],
            2,
        )
        result["submissions_http_over_in_process"] = round(
            result["submissions"]["per_second"]
            / result["in_process_submissions_per_second (one thread, no HTTP)"],
            2,
        )
        report[kind] = result
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
