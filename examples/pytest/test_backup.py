"""Example client tests against drmock (see conftest.py for the fixture)."""
import time


def test_status_is_no_op_before_any_backup(drmock):
    token = drmock.token()
    status = drmock.call("admin/system/disasterrecovery/status", token)
    assert status["status"]["state"] == "no_op"


def test_a_backup_runs_to_completion(drmock):
    token = drmock.token()
    dr = "admin/system/disasterrecovery"
    job = drmock.call(f"{dr}/stores/default/backups/create", token, method="POST",
                      name="pytest-1", passcode="secret123", retentionDate="-1")
    assert job["status"] == "SUBMITTED"
    deadline = time.monotonic() + 10      # --speed 600: the default fixture's 66 s backup takes ~0.1 s
    while (answer := drmock.call(f"admin/jobs/{job['jobid']}", token))["status"] != "COMPLETED":
        assert time.monotonic() < deadline, answer
        time.sleep(0.02)
    names = [b["backupName"] for b in drmock.call(f"{dr}/stores/default/backups", token)["backups"]]
    assert "pytest-1" in names


def test_each_test_has_its_own_deployment(drmock):
    # The backup made by the previous test is not here: a fresh catalog and a unique context.
    token = drmock.token()
    backups = drmock.call("admin/system/disasterrecovery/stores/default/backups", token)["backups"]
    assert "pytest-1" not in [b["backupName"] for b in backups]
    assert drmock.base_url.rsplit("/", 1)[1].startswith("t_")


def test_a_wrong_password_gets_the_error_envelope(drmock):
    answer = drmock.call("sharing/rest/generateToken", method="POST", username="admin",
                         password="wrong", client="referer", referer="pytest")
    assert answer["error"]["code"] == 400
