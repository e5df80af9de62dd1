"""drmock.Server: the same server for code outside the plugin (scripts, unittest, notebooks); here over
TLS, with the development certificate it makes, verified through ca_bundle."""
import ssl
import urllib.error
import urllib.request

import pytest

import drmock


def test_server_over_tls_is_verified_with_its_ca_bundle():
    with drmock.Server(tls=True) as server:
        assert server.url.startswith("https://") and server.ca_bundle.endswith("cert.pem")
        ctx = server.context()
        assert ctx.get("admin/system/disasterrecovery/status")["status"]["state"] == "no_op"
        # Without the bundle the certificate is not trusted: the client must be told.
        with pytest.raises(urllib.error.URLError) as refused:
            urllib.request.urlopen(f"{server.root}/_mock/health", context=ssl.create_default_context(), timeout=10)
        assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
        assert ctx.remove() is True


def test_the_package_fixtures_win_over_a_projects_own_fixtures_folder(tmp_path, monkeypatch):
    # A project with its own fixtures/default.json (not a drmock fixture at all) in the current directory.
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "default.json").write_text('{"not": "a drmock fixture"}')
    monkeypatch.chdir(tmp_path)
    with drmock.Server(fixture="default") as server:
        assert server.ready["fixture"] == "default"


@pytest.mark.parametrize("how", ["console script", "python -m drmock"])
def test_the_command_runs_the_bundled_binary_with_its_own_fixtures(tmp_path, how):
    import os
    import subprocess
    import sys
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "default.json").write_text('{"not": "a drmock fixture"}')
    command = [os.path.join(os.path.dirname(sys.executable), "drmock")] if how == "console script" else [sys.executable, "-m", "drmock"]
    listed = subprocess.run(command + ["fixtures", "list"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    default = next(line for line in listed.splitlines() if line.startswith("default "))
    assert drmock.fixtures_dir() in default and "shadowed" not in default
    assert subprocess.run(command + ["--version"], capture_output=True, text=True).stdout.strip() == drmock.__version__
    assert subprocess.run(command + ["serve", "--no-such-option"], capture_output=True).returncode != 0
