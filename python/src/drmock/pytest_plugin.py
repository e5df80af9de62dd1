"""The drmock pytest plugin (entry point `pytest11`: loaded by pytest on its own, no conftest.py).

Fixtures, in the shape of pytest-postgresql's:
- `drmock_proc` (session): a `drmock serve` process (the bundled binary, or --drmock-bin / $DRMOCK_BIN),
  port 0, ready file, in-memory catalog, manual clock unless --drmock-clock system / --drmock-speed.
- `drmock_noproc` (session): a drmock already running at --drmock-url / $DRMOCK_URL.
- `drmock_server` (session): drmock_noproc when a URL is given, else drmock_proc.
- `drmock` (per test): a fresh context of its own (drmock.Context), removed at teardown
  (kept when the test failed and --drmock-keep-failed is given).

Marker: `@pytest.mark.drmock(release="11.3", fixture="object-store-fails", faults={...})`.
A context takes the server's release; a marker asking for another release (or a fixture given as a
file path) gets a server process of its own for that deployment, started once and shared by the
session's tests that ask for the same.
"""
import os

import pytest

from .client import SEVERITIES, LintUnavailable
from .server import RemoteServer, Server, new_context_name

MARKER = "drmock"


def pytest_addoption(parser):
    g = parser.getgroup("drmock", "drmock (ArcGIS Enterprise admin API emulator)")
    g.addoption("--drmock-bin", default=None,
                help="drmock binary for drmock_proc (default: $DRMOCK_BIN, else the one in the drmock package)")
    g.addoption("--drmock-url", default=None,
                help="use the drmock already running at this URL (default: $DRMOCK_URL); drmock_server is then drmock_noproc")
    g.addoption("--drmock-ca-bundle", default=None,
                help="CA bundle to verify a --drmock-url server's TLS (default: $DRMOCK_CA_BUNDLE)")
    g.addoption("--drmock-release", default=None, help="release the session's server emulates, e.g. 11.3 (default: the newest)")
    g.addoption("--drmock-fixture", default=None, help="fixture or scenario the session's server loads (name or path)")
    g.addoption("--drmock-tls", action="store_true", default=False,
                help="serve HTTPS with a development certificate (the drmock fixture's ca_bundle)")
    g.addoption("--drmock-clock", default="manual", choices=("manual", "system"),
                help="manual (default: time moves only when a test moves it) or system")
    g.addoption("--drmock-speed", type=float, default=None, help="system clock at this speed (implies --drmock-clock system)")
    g.addoption("--drmock-keep-failed", action="store_true", default=False,
                help="keep the context of a failed test on the server, for a look (its URL is in the report)")
    g.addoption("--drmock-lint-fail", default=None, choices=SEVERITIES, metavar="SEVERITY",
                help="fail a test at teardown when the linter (GET /_mock/lint) finds client behaviour at or above "
                     "SEVERITY (info, warning, error) in its context")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "drmock(release=None, fixture=None, faults=None): the test's deployment: the release it emulates, "
        "the fixture or scenario it is made from, a fault plan set before the test runs")


def _option(config, name, env=None):
    value = config.getoption(name)
    return value if value is not None else (os.environ.get(env) if env else None)


def _start(config, release=None, fixture=None) -> Server:
    return Server(binary=_option(config, "drmock_bin", "DRMOCK_BIN"),
                  release=release or config.getoption("drmock_release"),
                  fixture=fixture or config.getoption("drmock_fixture"),
                  clock=config.getoption("drmock_clock"), speed=config.getoption("drmock_speed"),
                  tls=config.getoption("drmock_tls")).start()


@pytest.fixture(scope="session")
def drmock_proc(request):
    """A drmock process for the session (drmock.Server)."""
    server = _start(request.config)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def drmock_noproc(request):
    """The drmock at --drmock-url / $DRMOCK_URL (drmock.RemoteServer)."""
    url = _option(request.config, "drmock_url", "DRMOCK_URL")
    if not url:
        pytest.fail("drmock_noproc needs --drmock-url or $DRMOCK_URL (a running drmock, e.g. http://127.0.0.1:7443)")
    return RemoteServer(url, ca_bundle=_option(request.config, "drmock_ca_bundle", "DRMOCK_CA_BUNDLE"))


@pytest.fixture(scope="session")
def drmock_server(request):
    """drmock_noproc when --drmock-url / $DRMOCK_URL is given, else drmock_proc."""
    if _option(request.config, "drmock_url", "DRMOCK_URL"):
        return request.getfixturevalue("drmock_noproc")
    return request.getfixturevalue("drmock_proc")


@pytest.fixture(scope="session")
def _drmock_dedicated(request):
    """Servers of their own for markers the session's server cannot serve, by (release, fixture file)."""
    servers = {}

    def get(release, fixture):
        key = (release, fixture)
        if key not in servers:
            servers[key] = _start(request.config, release=release, fixture=fixture)
        return servers[key]

    yield get
    for server in servers.values():
        server.stop()


def _is_path(fixture):
    return "/" in fixture or fixture.endswith(".json")


@pytest.fixture
def drmock(request, drmock_server, _drmock_dedicated):
    """A fresh context for this test (drmock.Context), removed at teardown."""
    marker = request.node.get_closest_marker(MARKER)
    spec = dict(marker.kwargs) if marker else {}
    unknown = set(spec) - {"release", "fixture", "faults"}
    if unknown or (marker and marker.args):
        pytest.fail(f"@pytest.mark.drmock takes release=, fixture=, faults= only (got {sorted(unknown) or marker.args})")
    release, fixture, faults = spec.get("release"), spec.get("fixture"), spec.get("faults")
    server = drmock_server
    if (release and release != server.release) or (fixture and _is_path(fixture)):
        server = _drmock_dedicated(release, fixture if fixture and _is_path(fixture) else None)
    context = server.context(new_context_name())
    if fixture and not _is_path(fixture):
        context.load_fixture(fixture)
    if faults is not None:
        context.faults.set(faults)
    request.node.stash[_CONTEXT] = context
    yield context

    lint_fail = request.config.getoption("drmock_lint_fail")
    failed = request.node.stash.get(_FAILED, False)
    try:
        if lint_fail and not failed:
            try:
                report = context.lint()
            except LintUnavailable as e:
                pytest.fail(f"--drmock-lint-fail={lint_fail}: {e}", pytrace=False)
            if report.at_least(lint_fail):
                pytest.fail(report.text(lint_fail), pytrace=False)
    finally:
        if not (failed and request.config.getoption("drmock_keep_failed")):
            context.remove()


_CONTEXT = pytest.StashKey()
_FAILED = pytest.StashKey()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when in ("setup", "call") and report.failed:
        item.stash[_FAILED] = True
        context = item.stash.get(_CONTEXT, None)
        if context is not None and item.config.getoption("drmock_keep_failed"):
            report.sections.append(("drmock", f"context kept: {context.base_url} (DELETE /_mock/contexts/{context.name} removes it)"))


__all__ = ["drmock", "drmock_proc", "drmock_noproc", "drmock_server"]
