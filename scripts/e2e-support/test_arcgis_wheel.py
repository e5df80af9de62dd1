"""The ArcGIS API for Python (arcgis 2.4.4, unchanged) through the drmock wheel over TLS: once through
the pytest plugin (run with --drmock-tls: the session's server serves HTTPS with a development
certificate, `drmock.ca_bundle` is its path), once through drmock.Server outside the plugin.
Run by scripts/e2e/20-arcgis-python in its venv, with the wheel from scripts/build-wheel installed."""
from arcgis.gis import GIS
from arcgis.gis.kubernetes._admin._recovery import RecoveryManager

import drmock as drmock_package

ADMIN, ADMIN_PW = "admin", "drmock-admin-1"


def backup_to_completion(gis, url, ctx):
    rm = RecoveryManager(url=f"{url}/admin/system/disasterrecovery", gis=gis)
    assert "default" in [s._url.rsplit("/", 1)[1] for s in rm.stores]
    job = ctx.post("admin/system/disasterrecovery/stores/default/backups/create",
                   name="through-the-wheel", passcode="secret123", retentionDate="-1")
    ctx.clock.run_until(job, "COMPLETED")
    assert "through-the-wheel" in [b._url.rsplit("/", 1)[1] for b in rm.backups]


def test_gis_signs_in_to_the_plugins_context_over_tls(drmock):
    assert drmock.base_url.startswith("https://") and drmock.ca_bundle
    gis = GIS(drmock.base_url, ADMIN, ADMIN_PW, ca_bundles=drmock.ca_bundle)
    assert gis.users.me.username == ADMIN
    assert gis.properties.get("portalDeploymentType") == "ArcGISEnterpriseOnKubernetes"
    backup_to_completion(gis, drmock.base_url, drmock)


def test_gis_signs_in_to_a_drmock_server_over_tls():
    with drmock_package.Server(tls=True) as server:
        gis = GIS(server.url, ADMIN, ADMIN_PW, ca_bundles=server.ca_bundle)
        assert gis.users.me.username == ADMIN
        backup_to_completion(gis, server.url, server.context(server.ready["context"]))
