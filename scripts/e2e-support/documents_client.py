"""A client written against Esri's 12.0 documents, as Esri's enterprise-admin-cli was before
https://github.com/Esri/arcgis-gitops/issues/263: it creates a backup, waits for its job and prints the
job's `result.stages`. Standard library only.

Usage: documents_client.py BASE_URL   (e.g. http://127.0.0.1:7443/arcgis; the server's clock manual)
Exit status 0 when the flow ran; a Python traceback (KeyError: 'result') when the job lacks `result`."""
import json
import sys
import urllib.parse
import urllib.request

BASE = sys.argv[1]
DR = f"{BASE}/admin/system/disasterrecovery"
ROOT = BASE.rsplit("/", 1)[0]


def call(method, url, token=None, **fields):
    fields["f"] = "json"
    data = urllib.parse.urlencode(fields).encode()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        req = urllib.request.Request(f"{url}?{data.decode()}", headers=headers)
    else:
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.load(r)
    if "error" in body:
        raise RuntimeError(f"REST service error: code={body['error']['code']}, message={body['error']['message']!r}, details={body['error']['details']}")
    return body


token = call("POST", f"{BASE}/sharing/rest/generateToken", username="admin", password="drmock-admin-1",
             client="referer", referer="https://localhost", expiration=60)["token"]
job = call("POST", f"{DR}/stores/default/backups/create", token, name="documents-client", passcode="passcode-1")
# The emulator's control plane moves the manual clock to the job's end (a real client would poll).
call("POST", f"{ROOT}/_mock/clock/run-until", token, job=job["jobid"], status="COMPLETED")
status = call("GET", f"{BASE}/admin/jobs/{job['jobid']}", token)
assert status["status"] == "COMPLETED", status
for stage in status["result"]["stages"]:
    print(f"{stage['name']}: {stage['state']}")
