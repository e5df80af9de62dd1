import DisasterRecovery

/// What `drmock releases` prints: per release, its `fullVersion`, the documented features, the
/// behaviours observed on it with their sources, and drmock's decisions in force; as JSON, text, or
/// the Markdown docs/releases.md holds (a test keeps the two equal).
public enum ReleaseReport {
    /// The features `release` has, in the table's order.
    static func features(_ release: Release) -> [Release.Feature] {
        Release.Feature.allCases.filter(release.has)
    }

    public static func json(policy: BehaviourPolicy = .init()) -> JSONValue {
        .object([
            ("releases", .array(Release.all.map { r in
                .object([
                    ("release", .string(r.name)), ("fullVersion", .string(r.fullVersion)), ("currentVersion", .double(r.currentVersion)),
                    ("statusFormat", .string(r.statusFormat.rawValue)),
                    ("documented", .array(features(r).map { ["feature": .string($0.rawValue), "summary": .string(Release.summary(of: $0))] })),
                    ("observed", .array(r.observed.map { b in
                        ["id": .string(b.id.rawValue), "evidence": .string(b.evidence.rawValue),
                         "played": .bool(policy.plays(b, at: r, optedIn: [])), "wire": .string(b.wire), "sources": JSONValue(b.sources)]
                    })),
                    ("decisions", .array(Decision.all.filter { $0.holds(at: r, policy: policy) }.map { .int(Int64($0.number)) })),
                ])
            })),
            ("decisions", .array(Decision.all.map { d in
                ["number": .int(Int64(d.number)), "title": .string(d.title), "text": .string(d.text),
                 "overriddenBy": JSONValue(d.overriddenBy.map(\.rawValue))]
            })),
            ("documentedOnly", .bool(policy.documentedOnly)),
        ])
    }

    public static func text(policy: BehaviourPolicy = .init()) -> String {
        var out = ""
        for r in Release.all {
            out += "\(r.name)  fullVersion \(r.fullVersion), currentVersion \(r.currentVersion), status in \(r.statusFormat.rawValue)\n"
            out += "  documented:\n"
            for f in features(r) { out += "    \(f.rawValue): \(Release.summary(of: f))\n" }
            if !r.observed.isEmpty {
                out += "  observed:\n"
                for b in r.observed {
                    let state = policy.plays(b, at: r, optedIn: []) ? "on" : "off"
                    out += "    \(b.id.rawValue) (\(b.evidence.rawValue), \(state)): \(b.wire)\n"
                    for s in b.sources { out += "      \(s)\n" }
                }
            }
            let held = Decision.all.filter { $0.holds(at: r, policy: policy) }.map { String($0.number) }
            out += "  decisions in force: \(held.joined(separator: ", "))\n\n"
        }
        out += "Decisions:\n"
        for d in Decision.all { out += "  \(d.number). \(d.title): \(d.text)\n" }
        return out
    }

    /// docs/decisions.md's list (between its `drmock releases --decisions` markers): every numbered
    /// decision, the releases an observed behaviour replaces it on, and its text.
    public static func decisionsMarkdown() -> String {
        var out = ""
        for d in Decision.all {
            out += "## \(d.number). \(d.title)\n\n\(d.text)\n"
            if !d.overriddenBy.isEmpty {
                let replaced = d.overriddenBy.map { id -> String in
                    let b = ObservedBehaviour.entry(id)
                    return "[`\(id.rawValue)`](\(b.sources[0])) (\(b.releases.joined(separator: ", ")))"
                }
                out += "\nReplaced where a real release was observed to do otherwise: \(replaced.joined(separator: "; ")).\n"
            }
            out += "\n"
        }
        return out
    }

    /// docs/releases.md's release table (between its `drmock releases` markers).
    public static func markdown() -> String {
        var out = "| release | `fullVersion` / `currentVersion` | status | documented: what it adds | observed in production | decisions replaced |\n"
        out += "|---|---|---|---|---|---|\n"
        var previous: Set<Release.Feature> = []
        for r in Release.all {
            let added = features(r).filter { !previous.contains($0) }.map { Release.summary(of: $0) }
            let dropped = r.has(.legacyBackupRestore) || !previous.contains(.legacyBackupRestore) ? "" : " (`backuprestore` off under `--strict`)"
            previous = r.features
            let observed = r.observed.map { b in
                "[`\(b.id.rawValue)`](\(b.sources[0])) (\(b.evidence.rawValue)\(b.evidence == .suspected ? ", opt-in" : ""))"
            }
            let replaced = Decision.all.filter { !$0.holds(at: r) }.map { String($0.number) }
            let version = "\(r.fullVersion) / \(String(r.currentVersion).replacingSuffix(".0", with: ""))"
            out += "| \(r.name) | \(version) | \(r.statusFormat.rawValue) | \(added.isEmpty ? "—" : added.joined(separator: "; "))\(dropped) | \(observed.isEmpty ? "—" : observed.joined(separator: "; ")) | \(replaced.isEmpty ? "—" : replaced.joined(separator: ", ")) |\n"
        }
        return out
    }
}

private extension String {
    func replacingSuffix(_ suffix: String, with other: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + other : self
    }
}
