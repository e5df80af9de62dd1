import AdminAPI
import ArgumentParser
import DisasterRecovery
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

@main
struct DRMock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drmock",
        abstract: "An emulator of the ArcGIS Enterprise on Kubernetes Enterprise Administrator API (disaster recovery).",
        version: "0.1.0",
        subcommands: [Serve.self, HashSecret.self],
        defaultSubcommand: Serve.self)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the emulated API until SIGINT or SIGTERM.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 = any free port).") var port: UInt16 = 7443
    @Option(help: "The web context: URLs start with /<context>/.") var context = "arcgis"
    @Option(help: "SQLite catalog file, or :memory:.") var db = ".drmock/drmock.sqlite"
    @Option(help: "Fixture name (in fixtures/) or path to a fixture JSON file.") var fixture = "default"
    @Option(help: "system (scaled by --speed) or manual (moves only when told).") var clock = "system"
    @Option(help: "Emulated seconds per real second (system clock).") var speed: Double = 1
    @Flag(help: "Answer errors with the envelope's code as HTTP status instead of 200.") var httpErrorStatus = false
    @Flag(help: "Delete the catalog file first, so the fixture is loaded anew.") var reset = false
    @Option(help: "Release to emulate: 10.9, 10.9.1, 11.0 ... 12.0 (default: the fixture's, else the newest).") var release: String?
    @Flag(help: "Turn off what the release lacks (404) and refuse parameters it does not know (400).") var strict = false

    func run() throws {
        guard let mode = ClockState.Mode(rawValue: clock) else {
            throw ValidationError("--clock must be 'system' or 'manual'")
        }
        if reset && db != ":memory:" {
            for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) }
        }
        let fixtureValue: Fixture
        let server: DRMockServer
        do {
            fixtureValue = try FixtureLocator.load(fixture)
            server = try DRMockServer(options: .init(
                host: host, port: port, context: context, databasePath: db, fixture: fixtureValue,
                clockMode: mode, speed: speed, httpErrorStatus: httpErrorStatus,
                release: release, strict: strict))
            try server.start()
        } catch {
            throw ValidationError("\(error)")
        }
        print("drmock listening on \(server.baseURL) (release \(server.deployment.release)\(strict ? " strict" : ""), fixture \(fixtureValue.name), db \(db), clock \(mode.rawValue))")
        fflush(nil)
        let signal = waitForTerminationSignal()
        server.stop()
        print("drmock stopped (signal \(signal))")
    }
}

struct HashSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the salted scrypt hash of a password or passcode, for fixtures (reads one line from stdin).")

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the secret on standard input")
        }
        print(try SecretHash.make(line))
    }
}
