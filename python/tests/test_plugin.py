"""Tests of the pytest plugin itself, each running a small suite in a pytester sandbox (its own
pytest process, so session options and teardown failures are seen as a user sees them).
Run with `pytest -p pytester python/tests` where the drmock wheel is installed."""
import json
import urllib.request

import pytest

import drmock



def run(pytester, source, *args):
    pytester.makepyfile(source)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_no_conftest_is_needed_and_each_test_has_its_own_context(pytester):
    result = run(pytester, """
        seen = []
        def test_one(drmock):
            seen.append(drmock.name)
            drmock.post("admin/system/disasterrecovery/stores/default/backups/create", name="only-here",
                        passcode="secret123", retentionDate="-1")
        def test_two(drmock):
            assert drmock.name not in seen
            names = [b["backupName"] for b in drmock.get("admin/system/disasterrecovery/stores/default/backups")["backups"]]
            assert "only-here" not in names
    """)
    result.assert_outcomes(passed=2)


def test_contexts_are_removed_at_teardown_and_kept_on_failure_when_asked(pytester):
    source = """
        import json, pathlib
        def test_passes(drmock):
            drmock.get("admin")          # a context exists once a request names it
            pathlib.Path("contexts.txt").open("a").write(drmock.name + "\\n")
        def test_fails(drmock):
            drmock.get("admin")
            pathlib.Path("contexts.txt").open("a").write(drmock.name + "\\n")
            assert False
    """
    with drmock.Server() as server:
        result = run(pytester, source, f"--drmock-url={server.url}", "--drmock-keep-failed")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*context kept: http://127.0.0.1:*/t_*"])
        names = [line.strip() for line in (pytester.path / "contexts.txt").read_text().splitlines()]
        open_now = server.context("arcgis").control("GET", "contexts")["contexts"]
        assert names[0] not in open_now and names[1] in open_now


def test_drmock_noproc_uses_the_url_from_the_environment(pytester, monkeypatch):
    with drmock.Server() as server:
        monkeypatch.setenv("DRMOCK_URL", server.url)
        result = run(pytester, f"""
            def test_remote(drmock_server, drmock_noproc, drmock):
                assert drmock_server is drmock_noproc
                assert drmock.root == {server.root!r}
        """)
        result.assert_outcomes(passed=1)


def test_session_options_release_clock_and_tls(pytester):
    result = run(pytester, """
        def test_session(drmock_server, drmock):
            assert drmock_server.release == "11.2"
            assert drmock.get("admin")["fullVersion"] == "11.2.0"
            assert drmock.clock.get()["mode"] == "system" and drmock.clock.get()["speed"] == 60
            assert drmock.base_url.startswith("https://") and drmock.ca_bundle
    """, "--drmock-release=11.2", "--drmock-speed=60", "--drmock-tls")
    result.assert_outcomes(passed=1)


def test_a_bad_marker_is_explained(pytester):
    result = run(pytester, """
        import pytest
        @pytest.mark.drmock(relase="11.3")
        def test_typo(drmock):
            pass
    """)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*takes release=, fixture=, faults= only*relase*"])


CONTRACT_EXAMPLE = """
        {"context": "t_ab12", "release": "11.5",
         "rules": [{"id": "token-per-call", "severity": "warning", "summary": "s", "threshold": "t"}],
         "findings": [{"rule": "token-per-call", "severity": "warning",
                       "client": {"user": "admin", "userAgent": "python-requests/2.34.2"},
                       "message": "asked for a token before each of 12 calls", "why": "sign-in is rate limited",
                       "evidence": [{"seq": 12, "method": "POST", "path": "/t_ab12/sharing/rest/generateToken", "status": 200}]}]}
"""


def test_lint_report_reads_the_shared_contract():
    report = drmock.LintReport.from_json(json.loads(CONTRACT_EXAMPLE))
    assert [f.rule for f in report.at_least("warning")] == ["token-per-call"] and report.at_least("error") == []
    text = report.text("warning")
    assert "[warning] token-per-call: asked for a token before each of 12 calls (user admin, userAgent python-requests/2.34.2)" in text
    assert "why: sign-in is rate limited" in text and "#12 POST /t_ab12/sharing/rest/generateToken -> 200" in text
    with pytest.raises(ValueError):
        report.at_least("fatal")


# A POST whose token rides only in the query string (proxies log it, and the documents require it in
# the body): the server's linter flags it as post-token-in-query, severity error.
POST_WITH_TOKEN_IN_QUERY = """
import urllib.request
def post_with_token_in_query(context):
    url = f"{context.base_url}/admin/system/disasterrecovery/status?f=json&token={context.token()}"
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()
"""


def test_lint_fail_fails_a_test_whose_client_trips_a_rule(pytester):
    pytester.makepyfile(helpers=POST_WITH_TOKEN_IN_QUERY)
    source = """
        from helpers import post_with_token_in_query
        def test_careless_client(drmock):
            post_with_token_in_query(drmock)
        def test_careful_client(drmock):
            drmock.get("admin/system/disasterrecovery/status")
    """
    result = run(pytester, source, "--drmock-lint-fail=error")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_careless_client*",
                                 "*finding(s) at or above error*", "*[[]error[]] post-token-in-query: *"])
    run(pytester, source).assert_outcomes(passed=2)     # opt-in: without the option, findings fail nothing


def test_lint_and_assert_lint_clean_read_the_servers_linter():
    namespace = {}
    exec(POST_WITH_TOKEN_IN_QUERY, namespace)
    with drmock.Server() as server:
        careful, careless = server.context(), server.context()
        careful.get("admin/system/disasterrecovery/status")
        report = careful.assert_lint_clean(min_severity="info")
        assert report.context == careful.name and report.findings == []
        assert {"token-per-call", "post-token-in-query", "secret-in-query"} <= {r["id"] for r in report.rules}
        namespace["post_with_token_in_query"](careless)
        finding = next(f for f in careless.lint().findings if f.rule == "post-token-in-query")
        # urllib's own User-Agent; no user, since drmock refuses (499) a POST whose token is in the query
        assert finding.severity == "error" and finding.client["userAgent"].startswith("Python-urllib/")
        assert [e["method"] for e in finding.evidence] == ["POST"]
        with pytest.raises(AssertionError, match=rf"(?s)context {careless.name} .*\[error\] post-token-in-query"):
            careless.assert_lint_clean()


def test_a_server_without_the_linter_says_so():
    # A drmock without the control plane has no /_mock/lint: the helpers say what is missing.
    with drmock.Server(args=["--no-control"]) as server:
        with pytest.raises(drmock.LintUnavailable, match="no client-behaviour linter"):
            server.context().lint()


def test_fixtures_by_session_option_and_by_path_in_the_marker(pytester):
    fixture = json.load(open(drmock.fixtures_dir() + "/default.json"))
    fixture["name"] = "mine"
    fixture["release"] = "11.1"
    (pytester.path / "mine.json").write_text(json.dumps(fixture))
    result = run(pytester, f"""
        import pytest
        def test_session_fixture(drmock_server, drmock):
            assert drmock_server.ready["scenario"] == "object-store-fails"
        @pytest.mark.drmock(fixture={str(pytester.path / "mine.json")!r})
        def test_a_fixture_file_gets_a_server_of_its_own(drmock_server, drmock):
            assert drmock.root != drmock_server.root
            assert drmock.get("admin")["fullVersion"] == "11.1.0"
    """, "--drmock-fixture=object-store-fails")
    result.assert_outcomes(passed=2)
