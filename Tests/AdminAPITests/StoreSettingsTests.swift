import DisasterRecovery
import Foundation
import Testing

/// A store's `settings` as each release reads them: nothing refused that the documents allow, and
/// what a release does not have refused on it (with or without `--strict`).
@Suite struct StoreSettingsTests {
    func register(_ h: Harness, _ t: String, _ name: String, _ settings: String, _ extra: [(String, String)] = []) throws -> [String: Any] {
        try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", name), ("settings", settings)] + extra)
    }

    static func hosted(size: String = "64Gi", provisioning: String = "DYNAMIC", labels: String? = nil) -> String {
        #"{"type": "HOSTED", "storageConfig": {"provisioningType": "\#(provisioning)", "storageClass": "backups", "size": "\#(size)"\#(labels.map { #", "labels": \#($0)"# } ?? "")}}"#
    }

    /// The documents make labels optional (https://developers.arcgis.com/rest/enterprise-administration/enterprise/register:
    /// "labels: A key:value pair to identify and bind to a persistent volume"), and Esri's enterprise-admin-cli
    /// registers STATIC stores without them by default (https://github.com/Esri/arcgis-gitops,
    /// enterprise-admin-cli/commands/register_pv_backup_store.py).
    @Test func aStaticStoreWithoutLabelsRegisters() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try register(h, t, "pv", Self.hosted(provisioning: "STATIC"))["status"] as? String == "success")
        let store = try h.getJSON("\(Harness.dr)/stores/pv", t)
        #expect((store["storageConfig"] as? [String: Any])?["provisioningType"] as? String == "STATIC")
        try h.makeBackup(t, name: "on-pv", store: "pv")
        #expect(try h.backupNames(t, store: "pv") == ["on-pv"])
    }

    /// Every Kubernetes quantity is a size; the documented minimum is "16 GB"
    /// (https://developers.arcgis.com/rest/enterprise-administration/enterprise/register).
    @Test func sizesAreKubernetesQuantities() throws {
        let h = try Harness()
        let t = try h.token()
        for (i, size) in ["16G", "100G", "64000M", "1.5Ti", "20e9", "16Gi", "17179869184"].enumerated() {
            #expect(try register(h, t, "s\(i)", Self.hosted(size: size))["status"] as? String == "success", "\(size)")
            #expect((try h.getJSON("\(Harness.dr)/stores/s\(i)", t)["storageConfig"] as? [String: Any])?["size"] as? String == size)
        }
        for size in ["15G", "15999M", "1Gi"] {
            #expect(h.error(try register(h, t, "small", Self.hosted(size: size))).details == ["storageConfig.size must be at least 16 GB."], "\(size)")
        }
        for size in ["64GB", "sixty", "64 Gi", "Gi", "1e"] {
            #expect(h.error(try register(h, t, "odd", Self.hosted(size: size))).code == 400, "\(size)")
        }
    }

    /// Cloud store types and the two S3 shapes follow the release, whether or not `--strict` is on: "Support for
    /// cloud storage has been added at ArcGIS Enterprise on Kubernetes 11.1 as a beta feature" (the 11.1 register
    /// page), "Support for cloud storage was added at ... 11.2" (https://developers.arcgis.com/rest/enterprise-administration/enterprise/register).
    @Test func cloudStoresFollowTheRelease() throws {
        let t0 = try Harness(release: "11.0")
        let refused = t0.error(try register(t0, try t0.token(), "s3", StoreTests.s3))
        #expect(refused.details == ["'type' S3 is not a backup store type at release 11.0 (it came at 11.1)."])

        let v111 = try Harness(release: "11.1")
        let t111 = try v111.token()
        #expect(try register(v111, t111, "beta", StoreTests.s3beta)["status"] as? String == "success")
        #expect(v111.error(try register(v111, t111, "new", StoreTests.s3)).details.first?.contains("11.1 S3 shape") == true)
        #expect(v111.error(try register(v111, t111, "az", StoreTests.azure)).details == ["'type' AZURE_BLOBSTORE is not a backup store type at release 11.1 (it came at 11.2)."])

        let v112 = try Harness(release: "11.2")
        let t112 = try v112.token()
        #expect(try register(v112, t112, "new", StoreTests.s3)["status"] as? String == "success")
        #expect(v112.error(try register(v112, t112, "beta", StoreTests.s3beta)).details.first?.contains("11.2 S3 shape") == true)
    }

    static let gcs = #"{"type":"GCS","provider":{"name":"GCP","cloudServices":[{"name":"Google Cloud Storage","type":"objectStore","usage":"BACKUP","connection":{"bucketName":"dr-gcs","rootDir":"k8s","credential":{"type":"SERVICE-ACCOUNT"}},"category":"storage"}]}}"#

    /// 12.0 lists Google Cloud Storage backup stores (https://enterprise-k8s.arcgis.com/en/12.0/administer/register-a-backup-store.htm).
    @Test func googleCloudStorageStoresAt12_0() throws {
        let h = try Harness(release: "12.0")
        let t = try h.token()
        #expect(try register(h, t, "gcs", Self.gcs)["status"] as? String == "success")
        let store = try h.getJSON("\(Harness.dr)/stores/gcs", t)
        #expect(store["type"] as? String == "GCS" && store["bucketName"] as? String == "dr-gcs" && store["rootDir"] as? String == "k8s")
        try h.makeBackup(t, name: "in-gcs", store: "gcs")
        #expect(try h.backupNames(t, store: "gcs") == ["in-gcs"])
        #expect(h.error(try register(h, t, "gcs2", #"{"type":"GCS","provider":{"name":"GCP"}}"#)).code == 400)

        let old = try Harness(release: "11.5")
        #expect(old.error(try register(old, try old.token(), "gcs", Self.gcs)).details == ["'type' GCS is not a backup store type at release 11.5 (it came at 12.0)."])
    }

    /// `async` came at 11.0 (https://developers.arcgis.com/rest/enterprise-administration/enterprise/register):
    /// before it, the parameter is unknown and the store registers at once.
    @Test func asyncIsIgnoredBefore11_0() throws {
        let h = try Harness(release: "10.9.1")
        let answer = try register(h, try h.token(), "pv", Self.hosted(), [("async", "true")])
        #expect(answer["status"] as? String == "success" && answer["jobid"] == nil)
        let at110 = try Harness(release: "11.0")
        #expect(try register(at110, try at110.token(), "pv", Self.hosted(), [("async", "true")])["jobid"] is String)
    }
}
