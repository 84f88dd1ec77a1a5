"""`news-etl serve` against a real Prefect server; `since`/`max_articles`; `prefect.yaml`.

The server is `prefect server start` on 127.0.0.1 in a subprocess, from a
database migrated once per session (tests/support/prefect_server.py); the
sources are a real feed (the corpus's Guardian RSS, its links pointed at a
local HTTP server) and real article pages. `serve` runs as a subprocess, as
an operator runs it, and is stopped with SIGTERM.
"""

from __future__ import annotations

import contextvars
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from prefect._vendor.croniter.croniter import croniter as _croniter
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL
from prefect.states import Scheduled

from extractors.cron import cron_problem
from extractors.sources import load_config
from flows.ingest_web import ingest_sources
from flows.ledger import RunSummary
from flows.scheduled import host_limit_names, host_slots, ingest
from flows.serve import deployments, drop_missed_runs
from tests.conftest import REPO_ROOT
from tests.support.delta_sql import delta_rows
from tests.support.guardian_site import PAGES, serve_feed_and_pages
from tests.support.http_server import TestServer
from tests.support.prefect_server import (
    PREFECT,
    PrefectServer,
    migrate_database,
    prefect_env,
    stop_process,
)

# The feed's first four items are dated 2018-01-31 at 07:26, 15:46, 20:00 and 12:14 UTC.
SINCE = "2018-01-31T15:00:00+00:00"  # leaves the first and the fourth out
NEWS_ETL = [sys.executable, "-m", "flows.cli"]
T = TypeVar("T")
croniter: Any = _croniter  # untyped (vendored by Prefect)


@dataclass(frozen=True)
class Site:
    server: TestServer
    article_paths: list[str]  # the pages the feed links to, in feed order


@pytest.fixture
def site(corpus: Path) -> Iterator[Site]:
    """A feed of four real items (with an ETag) and their four real pages."""
    with TestServer("127.0.0.1") as server:
        paths, _ = serve_feed_and_pages(server, corpus)
        yield Site(server, paths)


def _config(folder: Path, server: TestServer, extra: str = "") -> Path:
    path = folder / "sources.toml"
    path.write_text(
        f"""
[http]
user_agent = "news-etl-tests/0.1"
timeout_seconds = 5
per_host_delay_seconds = 0
max_retries = 0

[[sources]]
name = "paris-desk"
feeds = ["{server.url("/rss.xml")}"]
schedule = "0 6 * * *"
schedule_timezone = "Europe/Paris"
allow_private_network = true
{extra}""",
        encoding="utf-8",
    )
    return path


def _articles(warehouse: Path) -> int:
    articles = f"read_parquet('{warehouse}/articles/**/*.parquet')"
    [(count,)] = delta_rows(f"SELECT count(*) FROM {articles}")
    return int(count)


@pytest.mark.slow
def test_since_and_max_articles(site: Site, tmp_path: Path) -> None:
    """`since` leaves older listed URLs unfetched, and listed next time; `max_articles` caps."""
    server, paths = site.server, site.article_paths
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"

    first = ingest_sources(config=str(config), warehouse=str(warehouse), since=SINCE)
    assert first.counts.articles_written == 2
    assert [server.hits(p) for p in paths] == [0, 1, 1, 0]

    second = ingest_sources(config=str(config), warehouse=str(warehouse))
    # the feed was read in full again (no 304: its validators were dropped) ...
    assert [r.headers.get("if-none-match") for r in server.requests("/rss.xml")] == [None, None]
    assert second.counts.articles_written == 2  # ... and the older pages taken this time
    assert [server.hits(p) for p in paths] == [1, 1, 1, 1]

    capped = ingest_sources(config=str(config), warehouse=str(tmp_path / "w2"), max_articles=2)
    assert capped.counts.articles_written == 2
    [(parameters,)] = delta_rows(f"SELECT parameters FROM read_parquet('{tmp_path}/w2/runs/*')")
    assert '"max_articles": 2' in parameters


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "--config", "CONFIG", "--since", "last tuesday"], "is not a date"),
        (["serve", "--config", "CONFIG", "--compact-schedule", "0 3 * *"], "needs 5 fields"),
    ],
)
def test_cli_usage_errors(
    argv: list[str], message: str, site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad --since or --compact-schedule is a usage error (exit 2), before any run."""
    from flows.cli import main

    config = str(_config(tmp_path, site.server))
    assert main([config if a == "CONFIG" else a for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_serve_without_a_server_is_a_usage_error(site: Site, tmp_path: Path) -> None:
    """With no PREFECT_API_URL (env or profile), serve refuses instead of serving into the void."""
    env = prefect_env(tmp_path / "home", tmp_path / "unused.db")  # no API URL, empty home
    done = subprocess.run(
        [*NEWS_ETL, "serve", "--config", str(_config(tmp_path, site.server))],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "serve needs a Prefect server" in done.stderr


@pytest.mark.slow
def test_runs_sharing_a_host_take_turns(site: Site, tmp_path: Path) -> None:
    """While another run holds the host's slot, an `ingest` run does not touch that host."""
    config = _config(tmp_path, site.server)
    names = host_limit_names(load_config(config).sources[0])
    assert names == ["news-etl-host:127.0.0.1"]
    done: dict[str, RunSummary] = {}

    def run() -> None:
        done["summary"] = ingest(config=str(config), source="paris-desk", warehouse=str(tmp_path))

    with host_slots(names):  # another process's run on the same host, as far as Prefect knows
        other = threading.Thread(target=contextvars.copy_context().run, args=(run,))
        other.start()
        other.join(timeout=4)
        assert other.is_alive()
        assert site.server.hits() == 0
    other.join(timeout=120)
    assert done["summary"].counts.articles_written == len(PAGES)


def test_runs_missed_while_nothing_served_are_dropped(site: Site, tmp_path: Path) -> None:
    """At start, auto-scheduled runs due over a minute ago are deleted; manual ones are kept."""
    config = _config(tmp_path, site.server)
    config.write_text(config.read_text().replace("0 6 * * *", "* * * * *"), encoding="utf-8")
    [paris, _] = deployments(load_config(config), config, str(tmp_path / "w"))
    deployment_id = paris.apply()
    assert isinstance(deployment_id, UUID)
    now = datetime.now(UTC)
    api = httpx.Client(base_url=f"{PREFECT_API_URL.value()}/", timeout=30)
    backfill = {"start_time": (now - timedelta(minutes=10)).isoformat(),
                "end_time": (now - timedelta(minutes=2)).isoformat(), "min_runs": 0}  # fmt: skip
    assert api.post(f"deployments/{deployment_id}/schedule", json=backfill).status_code < 300
    with get_client(sync_client=True) as client:
        by_hand = client.create_flow_run_from_deployment(
            deployment_id, state=Scheduled(scheduled_time=now - timedelta(minutes=5))
        )

        def past_due() -> list[FlowRun]:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
            )
            due = [r for r in runs if r.state_type == "SCHEDULED" and r.expected_start_time]
            return [r for r in due if r.expected_start_time and r.expected_start_time < now]

        assert len(past_due()) == 9  # 8 missed minutes and the manual run
        assert drop_missed_runs([paris]) == 8
        assert [r.id for r in past_due()] == [by_hand.id]


# --- cron: what the config accepts, Prefect's croniter must accept too ---------------------

_FIELD_TOKENS = st.sampled_from(
    ["*", "0", "1", "5", "7", "12", "23", "31", "59", "60", "1-5", "5-1", "*/15", "*/0", "3/5",
     "1-31/2", "mon", "sun-sat", "mon-fri", "jan", "jan-dec", "L", "1#2", "?", "x", "", "-1"]
)  # fmt: skip


@given(st.lists(st.lists(_FIELD_TOKENS, min_size=1, max_size=3), min_size=4, max_size=6))
def test_accepted_cron_is_valid_for_prefect(fields: list[list[str]]) -> None:
    """Every cron the config loader accepts, Prefect's vendored croniter accepts too."""
    expression = " ".join(",".join(items) for items in fields)
    if cron_problem(expression) is None:
        assert croniter.is_valid(expression), expression


@pytest.mark.parametrize("alias", ["@hourly", "@daily", "@weekly", "@monthly", "@yearly"])
def test_aliases_are_valid_for_prefect(alias: str) -> None:
    """The aliases the loader accepts are croniter's."""
    assert cron_problem(alias) is None
    assert croniter.is_valid(alias)


# --- the served deployments, end to end --------------------------------------------------


@pytest.fixture(scope="session")
def prefect_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Prefect database, made once per session."""
    return migrate_database(tmp_path_factory.mktemp("prefect-template"))


# Test pace only: the server looks for new deployments to schedule every 1 s (default 5),
# and serve polls for runs to start every 1 s (default 10).
FAST_SCHEDULER = {"PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1"}
FAST_RUNNER = {"PREFECT_RUNNER_POLL_FREQUENCY": "1"}


@pytest.fixture(scope="module")
def prefect_server(
    tmp_path_factory: pytest.TempPathFactory, prefect_template: Path
) -> Iterator[PrefectServer]:
    """A real Prefect server of our own (not the session harness), stopped even on failure."""
    folder = tmp_path_factory.mktemp("prefect-server")
    with PrefectServer(folder, prefect_template, extra_env=FAST_SCHEDULER) as server:
        yield server


class Api:
    """The few REST calls the test needs, on our server."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url + "/", timeout=30)

    def deployments(self) -> dict[str, dict[str, Any]]:
        """Deployments by full name (`flow/deployment`)."""
        flows = {f["id"]: f["name"] for f in self.http.post("flows/filter", json={}).json()}
        found = self.http.post("deployments/filter", json={}).json()
        return {f"{flows[d['flow_id']]}/{d['name']}": d for d in found}

    def scheduled_runs(self, deployment_id: str) -> list[datetime]:
        runs = self.http.post(
            "flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment_id]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            },
        ).json()
        return sorted(datetime.fromisoformat(r["expected_start_time"]) for r in runs)

    def flow_run(self, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = self.http.get(f"flow_runs/{run_id}").json()
        return run


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class Serve:
    """`news-etl serve` in a subprocess; its output goes to a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*NEWS_ETL, *argv], cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self) -> int:
        return stop_process(self.process, signal.SIGTERM)

    def alive(self) -> bool:
        return self.process.poll() is None


def _next_daily(at: clock, zone: str, count: int) -> list[datetime]:
    """The next `count` times the wall clock of `zone` shows `at`, in UTC."""
    now = datetime.now(ZoneInfo(zone))
    first = now.date()
    if datetime.combine(first, at, now.tzinfo) <= now:
        first += timedelta(days=1)
    days = [first + timedelta(days=n) for n in range(count)]
    return [datetime.combine(day, at, ZoneInfo(zone)).astimezone(UTC) for day in days]


@pytest.mark.slow
def test_serve_schedule_trigger_stop_restart(
    site: Site, tmp_path: Path, prefect_server: PrefectServer
) -> None:
    """Deployments with their schedules; a manual run with overrides; stop pauses, start resumes."""
    config = _config(tmp_path, site.server, extra=(
        '\n[[sources]]\nname = "by-hand"\n'
        f'urls = ["{site.server.url(site.article_paths[0])}"]\nallow_private_network = true\n'
    ))  # fmt: skip
    warehouse = tmp_path / "warehouse"
    api = Api(prefect_server.api_url)
    env = prefect_server.env(FAST_RUNNER)
    argv = ["serve", "--config", str(config), "--warehouse", str(warehouse), "--limit", "2"]
    serve = Serve(argv, env, tmp_path / "serve.log")
    try:
        names = {"ingest/paris-desk", "ingest/by-hand", "compact/nightly"}
        found = _wait_for("the deployments", lambda: names <= set(api.deployments()) or None)
        assert found, serve.log.read_text()
        deployments = api.deployments()
        paris = deployments["ingest/paris-desk"]
        [schedule] = [s["schedule"] for s in paris["schedules"]]
        assert (schedule["cron"], schedule["timezone"]) == ("0 6 * * *", "Europe/Paris")
        assert paris["parameters"] == {
            "config": str(config),
            "source": "paris-desk",
            "warehouse": str(warehouse),
        }
        assert deployments["ingest/by-hand"]["schedules"] == []
        [nightly] = [s["schedule"] for s in deployments["compact/nightly"]["schedules"]]
        assert (nightly["cron"], nightly["timezone"]) == ("0 3 * * *", "UTC")
        # the server schedules the next runs: 06:00 in Paris, whatever UTC says
        scheduled = _wait_for("scheduled runs", lambda: api.scheduled_runs(paris["id"]))
        assert scheduled[:3] == _next_daily(clock(6), "Europe/Paris", 3)

        # a manual trigger, as the README writes it, with overrides
        trigger = subprocess.run(
            [PREFECT, "deployment", "run", "ingest/paris-desk",
             "--param", f"since={SINCE}", "--param", "max_articles=3", "--param", "refresh=true",
             "--watch", "--watch-timeout", "180"],
            env=env, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        assert trigger.returncode == 0, trigger.stdout + trigger.stderr + serve.log.read_text()
        [run_id] = re.findall(r"UUID: ([0-9a-f-]{36})", trigger.stdout)
        assert api.flow_run(run_id)["state"]["type"] == "COMPLETED"
        # three listed (max_articles), one of them older than `since`: two fetched
        assert _articles(warehouse) == 2
        [(flow, status, parameters)] = delta_rows(
            f"SELECT flow, status, parameters FROM read_parquet('{warehouse}/runs/*.parquet')"
        )
        assert (flow, status) == ("ingest_sources", "completed")
        assert '"max_articles": 3' in parameters and '"refresh": true' in parameters

        # stopping serve pauses its deployments (Prefect's runner does) ...
        assert serve.stop() == 0
        assert all(api.deployments()[name]["paused"] for name in names)
        assert api.scheduled_runs(paris["id"]) == []
        # ... and starting it again resumes them, schedules and runs included
        serve = Serve(argv, env, tmp_path / "serve.log")
        _wait_for("resumed", lambda: not any(api.deployments()[n]["paused"] for n in names))
        again = _wait_for("rescheduled runs", lambda: api.scheduled_runs(paris["id"]))
        assert again[:3] == scheduled[:3]
        assert serve.alive()
    finally:
        serve.stop()


@pytest.mark.slow
def test_prefect_yaml_deploys_the_example_sources(prefect_server: PrefectServer) -> None:
    """`prefect deploy --all` of the repo's prefect.yaml matches sources.example.toml."""
    env = prefect_server.env()
    subprocess.run(
        [PREFECT, "work-pool", "create", "news-etl", "--type", "process"],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    deploy = subprocess.run(
        [PREFECT, "--no-prompt", "deploy", "--all"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    deployed = {  # the served deployments of the test above may share this server
        name: d
        for name, d in Api(prefect_server.api_url).deployments().items()
        if d["work_pool_name"] == "news-etl"
    }
    example = load_config(REPO_ROOT / "sources.example.toml")
    assert set(deployed) == {f"ingest/{s.name}" for s in example.sources} | {"compact/nightly"}
    for source in example.sources:
        deployment = deployed[f"ingest/{source.name}"]
        crons = [
            (s["schedule"]["cron"], s["schedule"]["timezone"]) for s in deployment["schedules"]
        ]
        expected = [(source.schedule, source.schedule_timezone or "UTC")] if source.schedule else []
        assert crons == expected, source.name
        assert deployment["work_pool_name"] == "news-etl"
        assert deployment["parameters"]["source"] == source.name
        assert deployment["entrypoint"] == "flows/scheduled.py:ingest"
    # no clone: the worker's run starts in the checkout named by its own NEWS_ETL_HOME
    step = {"directory": "{{ $NEWS_ETL_HOME }}"}
    pull = [{"prefect.deployments.steps.set_working_directory": step}]
    assert all(d["pull_steps"] == pull for d in deployed.values())
