"""Example client tests against drmock, with the drmock pytest plugin (pip install the drmock wheel):
no conftest.py. Each test gets `drmock`, a fresh context of its own on the session's server (manual
clock), removed when the test ends."""
import pytest

DR = "admin/system/disasterrecovery"


def create_backup(drmock, name, **more):
    return drmock.post(f"{DR}/stores/default/backups/create", name=name, passcode="secret123", retentionDate="-1", **more)


def test_status_is_no_op_before_any_backup(drmock):
    assert drmock.get(f"{DR}/status")["status"]["state"] == "no_op"


def test_a_backup_runs_to_completion_without_sleeping(drmock):
    job = create_backup(drmock, "pytest-1")
    assert job["status"] == "SUBMITTED"
    # The manual clock moves only when told: exactly to the instant the job completes.
    assert drmock.clock.run_until(job, "COMPLETED")["status"] == "COMPLETED"
    names = [b["backupName"] for b in drmock.get(f"{DR}/stores/default/backups")["backups"]]
    assert "pytest-1" in names


def test_wait_answers_once_the_clock_gets_there(drmock):
    job = create_backup(drmock, "pytest-wait")
    drmock.clock.advance(hours=1)
    assert drmock.wait(job, "COMPLETED", timeout=10)["status"] == "COMPLETED"


def test_each_test_has_its_own_deployment(drmock):
    # Same server as the tests before, but another context: their backups are not here.
    backups = drmock.get(f"{DR}/stores/default/backups")["backups"]
    assert "pytest-1" not in [b["backupName"] for b in backups]
    assert drmock.name.startswith("t_") and drmock.base_url.endswith("/" + drmock.name)


def test_a_wrong_password_gets_the_error_envelope(drmock):
    answer = drmock.post("sharing/rest/generateToken", token=None, username="admin", password="wrong",
                         client="referer", referer="pytest")
    assert answer["error"]["code"] == 400


def test_the_journal_shows_what_the_client_sent(drmock):
    create_backup(drmock, "journaled")
    paths = [r["path"] for r in drmock.journal(path="backups/create")]
    assert paths and paths[-1].endswith("/backups/create")


@pytest.mark.drmock(faults={"failStage": "Stage Object store", "message": "disk full"})
def test_a_fault_plan_from_the_marker_fails_the_backup(drmock):
    job = create_backup(drmock, "doomed")
    failed = drmock.clock.run_until(job, "FAILED")
    assert failed["status"] == "FAILED"
    assert "disk full" in str(failed)


def test_faults_set_and_clear(drmock):
    drmock.faults.set({"storeUnavailable": "default"})
    assert "error" in create_backup(drmock, "refused")
    drmock.faults.clear()
    assert create_backup(drmock, "accepted")["status"] == "SUBMITTED"


@pytest.mark.drmock(fixture="object-store-fails")
def test_a_scenario_from_the_marker(drmock):
    job = create_backup(drmock, "scenario")
    assert drmock.clock.run_until(job, "FAILED")["status"] == "FAILED"


@pytest.mark.drmock(release="11.3")
def test_the_marker_picks_the_release(drmock):
    assert drmock.get("admin")["fullVersion"] == "11.3.0"


@pytest.mark.drmock(release="11.3")
def test_an_upgrade_in_place(drmock):
    upgraded = drmock.upgrade("11.4")
    assert (upgraded["from"], upgraded["to"]) == ("11.3", "11.4")
    assert drmock.get("admin")["fullVersion"] == "11.4.0"


def test_a_viewer_token_is_refused_the_admin_api(drmock):
    answer = drmock.get(f"{DR}/status", token=drmock.token("viewer"))
    assert answer["error"]["code"] == 403


def test_ca_bundle_is_set_exactly_when_served_over_tls(drmock):
    assert (drmock.ca_bundle is not None) == drmock.base_url.startswith("https://")
