import Foundation
import Testing

/// `<dr>/stores/register`, `stores/<s>/{update,unregister,validate}`: exactly one default store.
@Suite struct StoreTests {
    static let hosted = #"{"type": "HOSTED", "storageConfig": {"provisioningType": "DYNAMIC", "storageClass": "backups", "size": "64Gi"}}"#
    static let s3 = #"{"type":"S3","provider":{"name":"AWS","cloudServices":[{"name":"AWS S3","type":"objectStore","usage":"BACKUP","connection":{"bucketName":"dr-bucket","region":"us-east-1","rootDir":"k8s","credential":{"type":"IAM-ROLE"}},"category":"storage"}]}}"#
    static let s3beta = #"{"type":"S3","provider":{"name":"AWS","connection":{"type":"access-IAM-role"}},"service":{"name":"AWS S3","type":"objectStore","usages":["BACKUP"],"connection":{"type":"object-storage-access","info":{"bucket_name":"old-bucket","region":"eu-west-1","rootDir":"root"}},"category":"storage"}}"#
    static let azure = #"{"type":"AZURE_BLOBSTORE","provider":{"name":"AZURE","cloudServices":[{"name":"Azure Blob Store","type":"objectStore","usage":"BACKUP","connection":{"containerName":"k8s-backups","rootDir":"r","accountEndpointUrl":"https://acct.blob.core.windows.net","credential":{"managedIdentityClientId":"id","secret":{"storageAccountName":"acct"},"type":"USER-ASSIGNED-IDENTITY"}},"category":"storage"}]}}"#

    func stores(_ h: Harness, _ t: String) throws -> [[String: Any]] {
        try h.getJSON("\(Harness.dr)/stores", t)["backupStores"] as? [[String: Any]] ?? []
    }

    func defaults(_ h: Harness, _ t: String) throws -> [String] {
        try stores(h, t).filter { $0["default"] as? Bool == true }.compactMap { $0["name"] as? String }
    }

    @Test func registersEveryKindAndKeepsOneDefault() throws {
        let h = try Harness(release: "12.0")
        let t = try h.token()
        let sync = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "pv2"), ("settings", Self.hosted), ("isDefault", "False")])
        #expect(sync["status"] as? String == "success")
        #expect(sync["name"] as? String == "pv2")
        let s3 = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "s3"), ("settings", Self.s3), ("isDefault", "True"), ("async", "False")])
        #expect(s3["name"] as? String == "s3")
        #expect(try defaults(h, t) == ["s3"])
        let job = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "az"), ("settings", Self.azure), ("isDefault", "None"), ("async", "true")])
        let id = try #require(job["jobid"] as? String)
        #expect(try h.getJSON("/arcgis/admin/jobs/\(id)", t)["status"] as? String == "COMPLETED")
        #expect(try defaults(h, t) == ["s3"])

        let all = try stores(h, t)
        #expect(all.compactMap { $0["name"] as? String } == ["default", "pv2", "s3", "az"])
        let bucket = try #require(all.first { $0["name"] as? String == "s3" })
        #expect(bucket["type"] as? String == "S3")
        #expect(bucket["bucketName"] as? String == "dr-bucket")
        #expect(bucket["region"] as? String == "us-east-1")
        #expect(bucket["rootDir"] as? String == "k8s")
        #expect(bucket["versionCreated"] as? String == "12.0.0")
        #expect((bucket["providerID"] as? String)?.count == 32)
        #expect(bucket["supportBDSBackup"] as? Bool == false)
        // Esri's CLI reads these on every store from 11.2, HOSTED ones included.
        #expect(all.allSatisfy { $0["versionCreated"] is String && $0["providerID"] is String && $0["serviceID"] is String })
        let pv = try h.getJSON("\(Harness.dr)/stores/pv2", t)
        #expect((pv["identity"] as? String)?.count == 20)
        #expect(pv["identityKey"] == nil)
        #expect((pv["storageConfig"] as? [String: Any])?["storageClass"] as? String == "backups")

        // A backup made in the new default store lands there.
        try h.makeBackup(t, name: "in-s3", store: "s3")
        #expect(try h.backupNames(t, store: "s3") == ["in-s3"])
    }

    @Test func registrationErrors() throws {
        let h = try Harness()
        let t = try h.token()
        let path = "\(Harness.dr)/stores/register"
        func err(_ fields: [(String, String)]) throws -> (code: Int, message: String, details: [String]) { h.error(try h.postJSON(path, t, fields)) }
        #expect(try err([("settings", Self.hosted)]).message == "Missing required parameter 'storeName'.")
        #expect(try err([("storeName", "x")]).message == "Missing required parameter 'settings'.")
        let bad = try err([("storeName", "x"), ("settings", "{\"type\": ")])
        #expect(bad.message == "Invalid JSON in parameter 'settings'.")
        #expect(bad.details.first?.contains("offset") == true)
        #expect(try err([("storeName", "x"), ("settings", "[1]")]).message == "Invalid JSON in parameter 'settings'.")
        #expect(try err([("storeName", "x"), ("settings", #"{"type": "NFS"}"#)]).message == "Invalid settings in parameter 'settings'.")
        let small = try err([("storeName", "x"), ("settings", #"{"type": "HOSTED", "storageConfig": {"storageClass": "b", "size": "8Gi"}}"#)])
        #expect(small.details == ["storageConfig.size must be at least 16 GB."])
        #expect(try err([("storeName", "x"), ("settings", #"{"type": "S3", "provider": {}}"#)]).code == 400)
        #expect(try err([("storeName", "a/b"), ("settings", Self.hosted)]).message == "Invalid value for parameter 'storeName'.")
        #expect(try err([("storeName", "x"), ("settings", Self.hosted), ("isDefault", "perhaps")]).message == "Invalid value for parameter 'isDefault'.")
        let dup = try err([("storeName", "default"), ("settings", Self.hosted)])
        #expect(dup.code == 409)
        #expect(dup.message == "A backup store with the name 'default' already exists.")
        #expect(try h.postJSON(path, t, [("storeName", "s3a"), ("settings", Self.s3)])["status"] as? String == "success")
        let sameBucket = try err([("storeName", "s3b"), ("settings", Self.s3)])
        #expect(sameBucket.message == "The backup store 's3a' already uses this storage location.")
        let viewer = try h.token("viewer", "drmock-viewer-1")
        #expect(h.error(try h.postJSON(path, viewer, [("storeName", "v"), ("settings", Self.hosted)])).code == 403)
        #expect(try stores(h, t).count == 2)
    }

    @Test func updateMovesTheDefaultAndUnregisterKeepsBackupsForTheSameVolume() throws {
        let h = try Harness(release: "12.0")
        let t = try h.token()
        _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "s3"), ("settings", Self.s3)])
        try h.makeBackup(t, name: "cloud-1", store: "s3")

        let update = "\(Harness.dr)/stores/s3/update"
        #expect(try h.postJSON(update, t, [("settings", #"{"default": true, "supportBDSBackup": true}"#)])["status"] as? String == "success")
        #expect(try defaults(h, t) == ["s3"])
        #expect(try h.getJSON("\(Harness.dr)/stores/s3", t)["supportBDSBackup"] as? Bool == true)
        #expect(h.error(try h.postJSON(update, t, [("settings", #"{"default": false, "supportBDSBackup": true}"#)])).message == "The backup store 's3' is the default and cannot stop being it.")
        #expect(h.error(try h.postJSON(update, t, [("settings", #"{"default": "maybe", "supportBDSBackup": true}"#)])).code == 400)
        #expect(h.error(try h.postJSON(update, t)).message == "Missing required parameter 'settings'.")
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/nope/update", t, [("settings", #"{"default": true, "supportBDSBackup": false}"#)])).code == 404)

        let refused = h.error(try h.postJSON("\(Harness.dr)/stores/s3/unregister", t))
        #expect(refused.message == "The default backup store 's3' cannot be unregistered.")
        _ = try h.postJSON("\(Harness.dr)/stores/default/update", t, [("settings", #"{"default": true, "supportBDSBackup": false}"#)])
        #expect(try defaults(h, t) == ["default"])
        #expect(try h.postJSON("\(Harness.dr)/stores/s3/unregister", t)["status"] as? String == "success")
        #expect(h.error(try h.getJSON("\(Harness.dr)/stores/s3", t)).code == 404)
        #expect(h.error(try h.getJSON("\(Harness.dr)/stores/s3/backups", t)).code == 404)
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/s3/unregister", t)).code == 404)
        #expect(try h.getJSON("\(Harness.legacy)/backups", t)["backups"].map { ($0 as? [[String: Any]])?.count } == 2)

        // Registered again on the same bucket (under another name), the backup is back.
        _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "s3-again"), ("settings", Self.s3)])
        let back = try h.getJSON("\(Harness.dr)/stores/s3-again/backups/cloud-1", t)
        #expect(back["backupStore"] as? String == "s3-again")
        #expect(try h.backupNames(t, store: "s3-again") == ["cloud-1"])
        #expect(try h.postJSON("\(Harness.dr)/stores/s3-again/validate", t).keys.sorted() == ["isReady", "status"])
        #expect(try h.postJSON("\(Harness.dr)/stores/s3-again/validate", t)["isReady"] as? Bool == true)
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/gone/validate", t)).code == 404)
        try h.server.makeStoreUnavailable("s3-again")
        #expect(try h.postJSON("\(Harness.dr)/stores/s3-again/validate", t)["isReady"] as? Bool == false)
    }

    @Test func unregisteredBackupsSurviveARestart() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(db) }
        do {
            let h = try Harness(db: db)
            let t = try h.token()
            _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "pv"), ("settings", Self.hosted)])
            try h.makeBackup(t, name: "kept", store: "pv")
            #expect(try h.postJSON("\(Harness.dr)/stores/pv/unregister", t)["status"] as? String == "success")
        }
        let h = try Harness(db: db)
        let t = try h.token()
        #expect(try stores(h, t).count == 1)
        _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "pv"), ("settings", Self.hosted)])
        #expect(try h.backupNames(t, store: "pv") == ["kept"])
    }

    @Test func releasesShapeStoresAndStrictRefusesWhatTheyLack() throws {
        let old = try Harness(release: "11.1", strict: true)
        let t = try old.token()
        let plain = try #require(try stores(old, t).first)
        #expect(plain["versionCreated"] == nil)
        #expect(plain["supportBDSBackup"] == nil)
        let newShape = old.error(try old.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "n"), ("settings", Self.s3)]))
        #expect(newShape.message == "Invalid settings in parameter 'settings'.")
        #expect(try old.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "b"), ("settings", Self.s3beta)])["status"] as? String == "success")
        let beta = try old.getJSON("\(Harness.dr)/stores/b", t)
        #expect(beta["bucketName"] as? String == "old-bucket")
        #expect(old.error(try old.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "z"), ("settings", Self.azure)])).code == 400)
        let bds = old.error(try old.postJSON("\(Harness.dr)/stores/b/update", t, [("settings", #"{"supportBDSBackup": true}"#)]))
        #expect(bds.details == ["'supportBDSBackup' is not a store setting at release 11.1."])

        let v1091 = try Harness(release: "10.9.1", strict: true)
        let t2 = try v1091.token()
        let async = v1091.error(try v1091.postJSON("\(Harness.dr)/stores/register", t2, [("storeName", "x"), ("settings", Self.hosted), ("async", "true")]))
        #expect(async.message == "Unknown parameter 'async'.")
        let v109 = try Harness(release: "10.9", strict: true)
        let t3 = try v109.token()
        #expect(v109.error(try v109.postJSON("\(Harness.dr)/stores/default/validate", t3)).code == 404)
        #expect(v109.error(try v109.postJSON("\(Harness.dr)/stores/default/update", t3, [("settings", #"{"default": true}"#)])).code == 404)

        // The 10.9 parameters of the Python client's RecoveryManager.register (lenient mode).
        let lenient = try Harness()
        let t4 = try lenient.token()
        let legacy = try lenient.postJSON("\(Harness.dr)/stores/register", t4, [
            ("storeName", "py"), ("credentials", "{}"), ("rootDirectory", "pyroot"),
            ("storageConfig", #"{"storageClass": "standard", "size": "32Gi"}"#), ("isDefault", "false")])
        #expect(legacy["name"] as? String == "py")
        #expect(try lenient.getJSON("\(Harness.dr)/stores/py", t4)["rootDir"] as? String == "pyroot")
    }
}
