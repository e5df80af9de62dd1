"""Example client tests against drmock (see conftest.py for the fixtures)."""

DR = "admin/system/disasterrecovery"


def test_status_is_no_op_before_any_backup(drmock):
    token = drmock.token()
    status = drmock.call(f"{DR}/status", token)
    assert status["status"]["state"] == "no_op"


def test_a_backup_runs_to_completion_without_sleeping(drmock):
    token = drmock.token()
    job = drmock.call(f"{DR}/stores/default/backups/create", token, method="POST",
                      name="pytest-1", passcode="secret123", retentionDate="-1")
    assert job["status"] == "SUBMITTED"
    # The manual clock moves only when told: exactly to the instant the job completes.
    moved = drmock.control("clock/run-until", token, job=job["jobid"], status="COMPLETED")
    assert moved["job"]["status"] == "COMPLETED"
    names = [b["backupName"] for b in drmock.call(f"{DR}/stores/default/backups", token)["backups"]]
    assert "pytest-1" in names


def test_each_test_has_its_own_deployment(drmock):
    # Same server as the test before, but another context: its backup is not here.
    token = drmock.token()
    backups = drmock.call(f"{DR}/stores/default/backups", token)["backups"]
    assert "pytest-1" not in [b["backupName"] for b in backups]
    assert drmock.context.startswith("t_")


def test_a_wrong_password_gets_the_error_envelope(drmock):
    answer = drmock.call("sharing/rest/generateToken", method="POST", username="admin",
                         password="wrong", client="referer", referer="pytest")
    assert answer["error"]["code"] == 400
