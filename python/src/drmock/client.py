"""A client for one drmock context: its emulated API under /<context>/ and its control plane under
/_mock/ (docs/control-plane.md). Standard library only (urllib), so it needs nothing installed.

A context is a deployment of its own (catalog rows, clock, fault plan, journal), made from the server's
fixture the first time a request names it and removed by ``Context.remove()``
(``DELETE /_mock/contexts/<name>``).
"""
import datetime
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from . import __version__

USER_AGENT = f"drmock-python/{__version__}"
SEVERITIES = ("info", "warning", "error")
JOB_STATUSES = ("SUBMITTED", "EXECUTING", "COMPLETED", "FAILED", "TIMED OUT")

# The default fixture's users and passwords (fixtures/default.json).
DEFAULT_PASSWORDS = {"admin": "drmock-admin-1", "viewer": "drmock-viewer-1"}


class DRMockError(Exception):
    """A control-plane call that drmock refused: the HTTP status and its error envelope."""

    def __init__(self, method, url, status, body):
        self.method, self.url, self.status, self.body = method, url, status, body
        error = body.get("error", {}) if isinstance(body, dict) else {}
        message = error.get("message") or (body if isinstance(body, str) else json.dumps(body))
        details = error.get("details") or []
        text = f"{method} {_without_secrets(url)} answered {status}: {message}"
        if details:
            text += " (" + "; ".join(str(d) for d in details) + ")"
        super().__init__(text)


class LintUnavailable(DRMockError):
    """The server has no client-behaviour linter (`GET /_mock/lint` answered 404)."""


def _without_secrets(url):
    parts = urllib.parse.urlsplit(url)
    query = [(k, "***" if k in ("token", "password", "passcode") else v)
             for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@dataclass
class Answer:
    """One HTTP answer: status, headers and body (JSON decoded when it is JSON)."""
    status: int
    headers: Dict[str, str]
    body: Any


class Transport:
    """Plain HTTP(S) with urllib; TLS verified against `ca_bundle` when given."""

    def __init__(self, ca_bundle=None, timeout=60):
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self._ssl = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else None

    def send(self, method, url, params=None, timeout=None, token=None) -> Answer:
        """`token` goes in the X-Esri-Authorization header, as the ArcGIS API for Python sends it: never in
        a URL, where proxies log it (drmock's linter flags that as secret-in-query)."""
        params = {k: _form_value(v) for k, v in (params or {}).items() if v is not None}
        data = urllib.parse.urlencode(params)
        headers = {"User-Agent": USER_AGENT}
        if token:
            headers["X-Esri-Authorization"] = f"Bearer {token}"
        if method in ("GET", "DELETE"):
            request = urllib.request.Request(f"{url}?{data}" if data else url, method=method, headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            request = urllib.request.Request(url, data=data.encode(), method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout, context=self._ssl) as r:
                return Answer(r.status, dict(r.headers), _decode(r.read(), r.headers))
        except urllib.error.HTTPError as e:
            return Answer(e.code, dict(e.headers), _decode(e.read(), e.headers))


def _form_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


def _decode(raw, headers):
    text = raw.decode("utf-8", "replace")
    if "json" in (headers.get("Content-Type") or "") or text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _job_id(job):
    """A job id, from the id itself or from an answer that names one (backups/create, a job)."""
    if not isinstance(job, dict):
        return str(job)
    for key in ("jobid", "jobId", "id"):
        if job.get(key):
            return job[key]
    raise ValueError(f"no job id in {job!r}")


def _milliseconds(ms=None, seconds=0.0, minutes=0.0, hours=0.0, days=0.0):
    if isinstance(ms, datetime.timedelta):
        return int(ms.total_seconds() * 1000)
    total = (ms or 0) + 1000 * (seconds + 60 * minutes + 3600 * hours + 86400 * days)
    return int(total)


class Clock:
    """The context's emulated clock (manual clock: moves only when told)."""

    def __init__(self, context):
        self._c = context

    def get(self) -> dict:
        """{"context", "mode", "speed", "now"} (epoch ms)."""
        return self._c.control("GET", "clock")

    def now(self) -> int:
        return self.get()["now"]

    def advance(self, ms=None, *, seconds=0.0, minutes=0.0, hours=0.0, days=0.0) -> dict:
        """Moves the clock forward: `advance(60_000)`, `advance(minutes=1)` or `advance(timedelta(...))`."""
        return self._c.control("POST", "clock/advance", ms=_milliseconds(ms, seconds, minutes, hours, days))

    def set(self, epoch_ms: int) -> dict:
        """Jumps to a time (never backwards: drmock answers 409)."""
        return self._c.control("POST", "clock/set", epochMs=int(epoch_ms))

    def run_until(self, job, status="COMPLETED") -> dict:
        """Moves the clock exactly to the instant `job` (an id or a job answer) reaches `status`; the job."""
        return self._c.control("POST", "clock/run-until", job=_job_id(job), status=status)["job"]


class Faults:
    """The context's fault plan (docs/control-plane.md, "Faults")."""

    def __init__(self, context):
        self._c = context

    def set(self, plan: Union[dict, str]) -> dict:
        return self._c.control("POST", "faults", plan=plan if isinstance(plan, str) else json.dumps(plan))

    def get(self) -> dict:
        return self._c.control("GET", "faults")

    def clear(self) -> dict:
        return self._c.control("DELETE", "faults")


@dataclass
class LintFinding:
    rule: str
    severity: str
    message: str
    why: str = ""
    client: Dict[str, Any] = field(default_factory=dict)
    evidence: List[Dict[str, Any]] = field(default_factory=list)

    def __str__(self):
        who = ", ".join(f"{k} {v}" for k, v in self.client.items() if v)
        lines = [f"[{self.severity}] {self.rule}: {self.message}" + (f" ({who})" if who else "")]
        if self.why:
            lines.append(f"    why: {self.why}")
        for e in self.evidence[:5]:
            lines.append(f"    #{e.get('seq')} {e.get('method')} {e.get('path')} -> {e.get('status')}")
        if len(self.evidence) > 5:
            lines.append(f"    ... and {len(self.evidence) - 5} more requests")
        return "\n".join(lines)


@dataclass
class LintReport:
    """`GET /_mock/lint` for one context: the rules and what the client did against them."""
    context: str
    release: str
    rules: List[Dict[str, Any]]
    findings: List[LintFinding]

    @classmethod
    def from_json(cls, value):
        known = LintFinding.__dataclass_fields__
        return cls(context=value.get("context", ""), release=value.get("release", ""), rules=value.get("rules", []),
                   findings=[LintFinding(**{k: v for k, v in f.items() if k in known}) for f in value.get("findings", [])])

    def at_least(self, severity) -> List[LintFinding]:
        return [f for f in self.findings if _rank(f.severity) >= _rank(severity)]

    def text(self, severity="info") -> str:
        found = self.at_least(severity)
        head = f"drmock lint, context {self.context} (release {self.release}): {len(found)} finding(s) at or above {severity}"
        return "\n".join([head, *(str(f) for f in found)])


def _rank(severity):
    if severity not in SEVERITIES:
        raise ValueError(f"unknown lint severity {severity!r}: one of {', '.join(SEVERITIES)}")
    return SEVERITIES.index(severity)


class Context:
    """One context of a drmock server: `base_url` is <server>/<name>, the URL a client under test uses."""

    def __init__(self, root: str, name: str, *, ca_bundle: Optional[str] = None, transport: Optional[Transport] = None,
                 passwords: Optional[Dict[str, str]] = None):
        self.root = root.rstrip("/")
        self.name = name
        self.base_url = f"{self.root}/{name}"
        self.ca_bundle = ca_bundle
        self.http = transport or Transport(ca_bundle)
        self.passwords = dict(DEFAULT_PASSWORDS, **(passwords or {}))
        self.clock = Clock(self)
        self.faults = Faults(self)
        self._tokens: Dict[str, str] = {}

    def __repr__(self):
        return f"<drmock.Context {self.base_url}>"

    # --- the emulated API -------------------------------------------------------------------------
    def token(self, user="admin", password=None, *, fresh=False) -> str:
        """A token for `user` (generateToken under this context); kept and reused unless `fresh`."""
        if not fresh and user in self._tokens:
            return self._tokens[user]
        if password is None:
            password = self.passwords.get(user)
            if password is None:
                raise ValueError(f"no password known for user {user!r}: pass password=")
        answer = self.call("POST", "sharing/rest/generateToken", {"username": user, "password": password,
                                                                  "client": "referer", "referer": "drmock-python"},
                           token=None)
        if not isinstance(answer.body, dict) or "token" not in answer.body:
            raise DRMockError("POST", f"{self.base_url}/sharing/rest/generateToken", answer.status, answer.body)
        self._tokens[user] = answer.body["token"]
        return self._tokens[user]

    def call(self, method, path, params=None, *, token: Optional[str] = "", user="admin") -> Answer:
        """An API request under the context, `f=json`; `token` "" (default) uses `user`'s, None sends none."""
        params = {"f": "json", **(params or {})}
        if token == "":
            token = self.token(user)
        return self.http.send(method, f"{self.base_url}/{path.lstrip('/')}", params, token=token)

    def get(self, path, params=None, *, token: Optional[str] = "", user="admin", **more) -> Any:
        """GET <base_url>/<path> (f=json, admin token unless told): the decoded answer."""
        return self.call("GET", path, {**(params or {}), **more}, token=token, user=user).body

    def post(self, path, params=None, *, token: Optional[str] = "", user="admin", **more) -> Any:
        """POST a form to <base_url>/<path> (f=json, admin token unless told): the decoded answer."""
        return self.call("POST", path, {**(params or {}), **more}, token=token, user=user).body

    # --- the control plane ------------------------------------------------------------------------
    def control(self, method, path, /, **params) -> Any:
        """A control-plane call for this context (admin token); raises DRMockError unless 2xx."""
        url = f"{self.root}/_mock/{path}"
        for attempt in (1, 2):
            answer = self.http.send(method, url, {**params, "context": self.name}, token=self.token("admin"))
            if answer.status in (401, 498) and attempt == 1:
                self._tokens.clear()   # the tokens went with a reset, a fixture load or expireTokens
                continue
            break
        # A drmock serving with --no-control answers /_mock/ paths as the API answers an unknown
        # resource: an error envelope (code 404) with HTTP 200. That is a failure too, never a result.
        body = answer.body
        envelope = body["error"] if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
        if path == "lint" and 404 in (answer.status, envelope and envelope.get("code")):
            raise LintUnavailable(method, url, 404, {"error": {"message": (
                "this drmock server has no client-behaviour linter (GET /_mock/lint answered 404: is the "
                "control plane off, --no-control?); lint() and assert_lint_clean() need /_mock/lint")}})
        if envelope is not None or not 200 <= answer.status < 300:
            raise DRMockError(method, url, answer.status, body)
        return body

    def wait(self, job, status="COMPLETED", timeout=30.0) -> dict:
        """Long-polls (real time, at most `timeout` s) until the job reaches `status`; the job.
        DRMockError 409 when it never can, 408 on timeout. On the manual clock someone must move it."""
        ms = int(timeout * 1000)
        self.http.timeout = max(self.http.timeout, timeout + 10)
        return self.control("GET", "wait", job=_job_id(job), status=status, timeout=ms)["job"]

    def journal(self, path=None, since=None) -> List[dict]:
        """The requests the context's API saw, oldest first (`GET /_mock/requests`)."""
        return self.control("GET", "requests", path=path, since=since)["requests"]

    def upgrade(self, release) -> dict:
        """An in-place upgrade to a newer release (`POST /_mock/upgrade`)."""
        return self.control("POST", "upgrade", release=release)

    def load_fixture(self, name) -> dict:
        """Replaces the deployment with another fixture or scenario by name (`POST /_mock/fixture`)."""
        answer = self.control("POST", "fixture", name=name)
        self._tokens.clear()   # a new deployment: the tokens issued before are gone
        return answer

    def reset(self) -> dict:
        answer = self.control("POST", "reset")
        self._tokens.clear()
        return answer

    def state(self) -> dict:
        return self.control("GET", "state")

    def lint(self) -> LintReport:
        """The client-behaviour linter's report for this context (`GET /_mock/lint?f=json`)."""
        return LintReport.from_json(self.control("GET", "lint", f="json"))

    def assert_lint_clean(self, min_severity="warning") -> LintReport:
        """AssertionError with the readable report if the linter has findings at or above `min_severity`."""
        _rank(min_severity)
        report = self.lint()
        if report.at_least(min_severity):
            raise AssertionError(report.text(min_severity))
        return report

    def remove(self) -> bool:
        """Removes the context, rows and all (`DELETE /_mock/contexts/<name>`)."""
        removed = self.control("DELETE", f"contexts/{urllib.parse.quote(self.name)}").get("removed", False)
        self._tokens.clear()
        return removed
