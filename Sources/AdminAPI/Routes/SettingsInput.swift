import DisasterRecovery

/// Reading `settings` JSON for `<dr>/settings/update`, and the settings' wire shape.
enum SettingsInput {
    static func apply(_ json: JSONValue, to s: inout DRSettings, release: Release, strict: Bool) throws {
        for (key, value) in json.objectPairs ?? [] {
            switch key {
            case "stagingVolumeConfig":
                try stagingVolume(value, into: &s, release: release, strict: strict)
            case "timeoutInSeconds":
                try timeout(value, into: &s, release: release, strict: strict)
            default:
                if strict { throw unknown(key, release) }
            }
        }
    }

    static func unknown(_ key: String, _ release: Release) -> AdminError {
        AdminError.invalidSettings("settings", "'\(key)' is not a setting at release \(release.name).")
    }

    /// `timeoutInSeconds` (11.0), at the top level as Esri's example and CLI send it, or inside
    /// `stagingVolumeConfig` where the update-settings page lists it: the same setting either way.
    static func timeout(_ value: JSONValue, into s: inout DRSettings, release: Release, strict: Bool) throws {
        if strict && !release.has(.asyncOperations) { throw unknown("timeoutInSeconds", release) }
        guard let t = value.int64Value, t > 0, t <= 31_536_000 else {
            throw AdminError.invalidSettings("settings", "timeoutInSeconds must be a whole number of seconds from 1 to 31536000.")
        }
        s.timeoutInSeconds = t
    }

    static func stagingVolume(_ v: JSONValue, into s: inout DRSettings, release: Release, strict: Bool) throws {
        guard let pairs = v.objectPairs else { throw AdminError.invalidSettings("settings", "stagingVolumeConfig must be an object.") }
        var c = s.stagingVolumeConfig
        for (key, value) in pairs {
            switch key {
            case "provisioningType":
                guard let t = value.stringValue?.uppercased(), t == "DYNAMIC" || t == "STATIC" else {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.provisioningType must be DYNAMIC or STATIC.")
                }
                // Static provisioning of the staging volume came at 11.3 (update-settings).
                if t == "STATIC" && !release.has(.stagingVolumeLabels) {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.provisioningType STATIC is supported from release 11.3, not at \(release.name).")
                }
                c.provisioningType = t
            case "storageClass":
                guard let sc = value.stringValue, !sc.isEmpty, sc.count <= 253 else {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.storageClass must be a non-empty string.")
                }
                c.storageClass = sc
            case "size":
                c.size = try volumeSize(value, field: "stagingVolumeConfig.size")
            case "labels":
                if !release.has(.stagingVolumeLabels) {
                    if strict { throw unknown("stagingVolumeConfig.labels", release) }
                    continue   // a release without static staging does not know the key, and ignores it
                }
                c.labels = try labels(value, field: "stagingVolumeConfig.labels")
            case "timeoutInSeconds":
                try timeout(value, into: &s, release: release, strict: strict)
            case "component":
                continue
            default:
                if strict { throw unknown("stagingVolumeConfig.\(key)", release) }
            }
        }
        // Labels are "only used when provisioningType is STATIC" (update-settings): with DYNAMIC they are dropped, not refused.
        if c.provisioningType == "DYNAMIC" { c.labels = nil }
        s.stagingVolumeConfig = c
    }

    /// A volume's `size`: any Kubernetes quantity of at least 16 GB (``StorageQuantity``), as given.
    static func volumeSize(_ v: JSONValue?, field: String) throws -> String {
        guard let size = v?.stringValue, let q = StorageQuantity(size) else {
            throw AdminError.invalidSettings("settings", "\(field) must be a Kubernetes quantity such as \"64Gi\" or \"100G\".")
        }
        guard q.isEnoughForAVolume else { throw AdminError.invalidSettings("settings", "\(field) must be at least 16 GB.") }
        return size
    }

    static func labels(_ v: JSONValue, field: String) throws -> [String: String] {
        guard let pairs = v.objectPairs else { throw AdminError.invalidSettings("settings", "\(field) must be an object of strings.") }
        var out: [String: String] = [:]
        for (k, value) in pairs {
            guard let s = value.stringValue else { throw AdminError.invalidSettings("settings", "\(field).\(k) must be a string.") }
            out[k] = s
        }
        return out
    }
}

extension DRSettings {
    func json(release: Release) -> JSONValue {
        let c = stagingVolumeConfig
        var volume: [(String, JSONValue)] = [
            ("component", .string(c.component)), ("storageClass", .string(c.storageClass)), ("size", .string(c.size)),
            ("provisioningType", .string(c.provisioningType)),
        ]
        if let labels = c.labels {
            volume.append(("labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var pairs: [(String, JSONValue)] = [("stagingVolumeConfig", .object(volume))]
        if release.has(.asyncOperations), let t = timeoutInSeconds { pairs.append(("timeoutInSeconds", .int(t))) }
        return .object(pairs)
    }
}
