import AdminAPI
import ArgumentParser
import DisasterRecovery

/// `drmock fixtures list|validate`: what `--fixture NAME` can pick, and whether a fixture file is right.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "List the fixtures drmock can find, or check fixture files.",
        subcommands: [List.self, Validate.self])

    /// A fixture file's problems (``FixtureCheck``), or for a scenario file (`{"scenario": …, "fixture": …,
    /// "faults": …}`) whether it loads as `--fixture` would load it; and what it loads.
    static func check(_ path: String) -> (problems: [FixtureProblem], fixture: Fixture?, scenario: String?) {
        guard let bytes = FixtureLocator.readFile(path) else { return ([FixtureProblem(.error, "$", "cannot read the file")], nil, nil) }
        if FixtureCheck.isScenario(bytes) {
            do {
                let loaded = try DRMockServer.loadFixture(path)
                return ([], loaded.fixture, loaded.scenario)
            } catch {
                // Messages look like "PATH: invalid 'faults'. DETAIL" or "PATH: its fixture 'x' cannot be loaded. DETAIL".
                var message = "\(error)"
                if message.hasPrefix(path + ": ") { message = String(message.dropFirst(path.count + 2)) }
                var at = "$"
                for (prefix, key) in [("invalid 'faults'. ", "$.faults"), ("its fixture ", "$.fixture"), ("'scenario' ", "$.scenario")]
                where message.hasPrefix(prefix) {
                    at = key
                    if key == "$.faults" { message = String(message.dropFirst(prefix.count)) }
                }
                return ([FixtureProblem(.error, at, message)], nil, nil)
            }
        }
        let problems = FixtureCheck.problems(in: bytes)
        return (problems, try? Fixture.decode(bytes, source: path), nil)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the fixtures --fixture NAME can pick ($DRMOCK_FIXTURES, ./fixtures, share/drmock/fixtures), first match wins.")

        func run() throws {
            let entries = FixtureLocator.available()
            guard !entries.isEmpty else {
                print("no fixtures found (looked in \(FixtureLocator.searchDirectories().joined(separator: ", ")))")
                throw ExitCode(1)
            }
            let rows: [[String]] = entries.map { e in
                var release = "-", note = ""
                let check = FixturesCommand.check(e.path)
                if let error = check.problems.first(where: { $0.severity == .error }) {
                    note = "invalid: \(error)"
                } else if let f = check.fixture {
                    release = f.release ?? "-"
                    if let scenario = check.scenario { note = "scenario '\(scenario)' on fixture '\(f.name)'" }
                }
                if let winner = e.shadowedBy { note = (note.isEmpty ? "" : note + "; ") + "shadowed by \(winner)" }
                return [e.name, release, e.path, note]
            }
            print(table([["NAME", "RELEASE", "PATH", ""]] + rows))
        }

        /// Columns padded to their widest cell; the note (4th cell) in parentheses at the end.
        func table(_ rows: [[String]]) -> String {
            let widths = (0..<3).map { c in rows.map { $0[c].count }.max() ?? 0 }
            var lines: [String] = []
            for r in rows {
                var line = ""
                for c in 0..<3 {
                    let pad = c < 2 ? String(repeating: " ", count: widths[c] - r[c].count + 2) : ""
                    line += r[c] + pad
                }
                if !r[3].isEmpty { line += "  (" + r[3] + ")" }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check fixture files: every problem, with the JSON path of what is wrong. Exits 1 if any has an error.")

        @Argument(help: "Fixture files (or names, looked up like --fixture).") var fixtures: [String]
        @Flag(help: "Treat warnings (keys drmock ignores) as errors.") var strict = false

        func run() throws {
            var failed = false
            for given in fixtures {
                let path: String
                do { path = try FixtureLocator.locate(given) } catch {
                    print("\(given): error: \(error)")
                    failed = true
                    continue
                }
                let check = FixturesCommand.check(path)
                for p in check.problems { print("\(path): \(p.severity.rawValue): \(p)") }
                if check.problems.contains(where: { $0.severity == .error || strict }) {
                    failed = true
                } else if let f = check.fixture {
                    let what = check.scenario.map { "scenario '\($0)' on fixture '\(f.name)'" } ?? "fixture '\(f.name)'"
                    print("\(path): ok (\(what), \(f.release.map { "release \($0)" } ?? "no release pinned"): \(f.users.count) users, \(f.stores.count) stores, \(f.backups.count) backups)")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
