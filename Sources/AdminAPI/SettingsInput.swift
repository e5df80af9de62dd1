import DisasterRecovery

/// Reading `settings` JSON for `<dr>/settings/update`, and the settings' wire shape.
enum SettingsInput {
    static func apply(_ json: JSONValue, to s: inout DRSettings, release: Release, strict: Bool) throws {
        for (key, value) in json.objectPairs ?? [] {
            switch key {
            case "stagingVolumeConfig":
                s.stagingVolumeConfig = try stagingVolume(value, current: s.stagingVolumeConfig, release: release, strict: strict)
            case "timeoutInSeconds":
                if strict && !release.has(.asyncOperations) { throw unknown(key, release) }
                guard let t = value.int64Value, t > 0, t <= 31_536_000 else {
                    throw AdminError.invalidSettings("settings", "timeoutInSeconds must be a whole number of seconds from 1 to 31536000.")
                }
                s.timeoutInSeconds = t
            default:
                if strict { throw unknown(key, release) }
            }
        }
    }

    static func unknown(_ key: String, _ release: Release) -> AdminError {
        AdminError.invalidSettings("settings", "'\(key)' is not a setting at release \(release.name).")
    }

    static func stagingVolume(_ v: JSONValue, current: DRSettings.StagingVolumeConfig, release: Release, strict: Bool) throws -> DRSettings.StagingVolumeConfig {
        guard let pairs = v.objectPairs else { throw AdminError.invalidSettings("settings", "stagingVolumeConfig must be an object.") }
        var c = current
        var labelsGiven = false
        for (key, value) in pairs {
            switch key {
            case "provisioningType":
                guard let t = value.stringValue?.uppercased(), t == "DYNAMIC" || t == "STATIC" else {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.provisioningType must be DYNAMIC or STATIC.")
                }
                c.provisioningType = t
            case "storageClass":
                guard let sc = value.stringValue, !sc.isEmpty, sc.count <= 253 else {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.storageClass must be a non-empty string.")
                }
                c.storageClass = sc
            case "size":
                guard let size = value.stringValue, let gi = DRSettings.gibibytes(size) else {
                    throw AdminError.invalidSettings("settings", "stagingVolumeConfig.size must be a Kubernetes quantity such as \"64Gi\".")
                }
                guard gi >= 16 else { throw AdminError.invalidSettings("settings", "stagingVolumeConfig.size must be at least 16Gi.") }
                c.size = size
            case "labels":
                if strict && !release.has(.stagingVolumeLabels) { throw unknown("stagingVolumeConfig.labels", release) }
                c.labels = try labels(value, field: "stagingVolumeConfig.labels")
                labelsGiven = true
            case "component":
                continue
            default:
                if strict { throw unknown("stagingVolumeConfig.\(key)", release) }
            }
        }
        if c.provisioningType == "DYNAMIC" {
            if labelsGiven && !(c.labels ?? [:]).isEmpty {
                throw AdminError.invalidSettings("settings", "stagingVolumeConfig.labels is only for STATIC provisioning.")
            }
            c.labels = nil
        }
        return c
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
