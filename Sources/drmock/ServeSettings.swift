import AdminAPI
import ArgumentParser
import Catalog
import DisasterRecovery
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// The program's entry point. A plain `drmock [serve] --option value …` command line is read by
/// ``ServeSettings/init(fastParsing:)`` and served at once; anything else (help, --version, other
/// subcommands, a value it does not take at face value, an error) goes to swift-argument-parser.
///
/// Why: swift-argument-parser builds its command tree through reflection and dynamic casts, and each
/// first cast scans every protocol conformance in the binary; that was about three quarters of the
/// CPU `drmock serve` spent from exec to its first answer (docs/benchmarks.md, start-up).
@main
enum Entry {
    static func main() {
        guard let settings = ServeSettings(fastParsing: CommandLine.arguments.dropFirst()) else {
            DRMock.main()
            return
        }
        #if DEBUG
        // The fast reader must agree with swift-argument-parser on every command line it accepts.
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" { arguments.removeFirst() }
        let parsed = try? Serve.parse(arguments)
        precondition(parsed?.settings == settings, "ServeSettings(fastParsing:) disagrees with swift-argument-parser on \(arguments)")
        #endif
        do {
            try settings.run()
        } catch {
            DRMock.exit(withError: error)
        }
    }
}

/// `drmock serve`'s options as plain values.
struct ServeSettings: Equatable {
    var host = "127.0.0.1"
    var port: UInt16 = 7443
    var context = "arcgis"
    var db = ".drmock/drmock.sqlite"
    var fixture = "default"
    var clock = "system"
    var speed: Double = 1
    var httpErrorStatus = false
    var reset = false
    var release: String?
    var strict = false
    /// `--documented-only`: none of the behaviours observed on real releases (``ObservedBehaviour``).
    var documentedOnly = false
    var readyFile: String?
    var noControl = false
    var controlKey: String?
    var controlLoopbackOnly = false
    var tlsCertificate: String?
    var tlsKey: String?
    var tlsDevCertificateDirectory: String?
    var hashCost = SecretHash.defaultLogN
    /// `--threads`: libmicrohttpd's threads; nil for the server's default (one per core but one, at least 1: `DRMockServer.defaultThreads`).
    var threads: Int?
    /// `--connection-memory-kib`: memory per connection for a request's head, in KiB; nil for the
    /// server's default (16 KiB).
    var connectionMemoryKiB: Int?
    /// `--max-contexts`: the most contexts served at once.
    var maxContexts = DRMockServer.defaultMaxContexts
    /// `--lint-report`: where to write the linter's report on every context at shutdown.
    var lintReport: String?
}

extension ServeSettings {
    /// What `--threads` takes.
    static let allowedThreads = 1...64
    /// What `--connection-memory-kib` takes.
    static let allowedConnectionMemoryKiB = 8...1024

    /// Reads `[serve] (--name value | --name=value | --flag)…` with each of `Serve`'s options at most
    /// once and every value taken at face value (not empty, not starting with `-`); nil for anything
    /// else, which swift-argument-parser then reads (and explains, if it is wrong). Debug builds check
    /// that both readers agree (``Entry``).
    init?<Arguments: Collection<String>>(fastParsing arguments: Arguments) {
        self.init()
        var rest = arguments[...]
        if rest.first == "serve" { rest = rest.dropFirst() }
        var seen = Set<String>()
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else { return nil }
            var name = String(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard seen.insert(name).inserted else { return nil }
            let flag: WritableKeyPath<ServeSettings, Bool>? = switch name {
            case "http-error-status": \.httpErrorStatus
            case "reset": \.reset
            case "strict": \.strict
            case "documented-only": \.documentedOnly
            case "no-control": \.noControl
            case "control-loopback-only": \.controlLoopbackOnly
            default: nil
            }
            if let flag {
                guard value == nil else { return nil }
                self[keyPath: flag] = true
                continue
            }
            if value == nil { value = rest.popFirst() }
            guard let value, !value.isEmpty, !value.hasPrefix("-") else { return nil }
            switch name {
            case "host": host = value
            case "port": guard let p = UInt16(value) else { return nil }; port = p
            case "context": context = value
            case "db": db = value
            case "fixture": fixture = value
            case "clock": clock = value
            case "speed": guard let s = Double(value) else { return nil }; speed = s
            case "release": release = value
            case "ready-file": readyFile = value
            case "lint-report": lintReport = value
            case "control-key": controlKey = value
            case "tls-cert": tlsCertificate = value
            case "tls-key": tlsKey = value
            case "tls-dev-cert": tlsDevCertificateDirectory = value
            case "hash-cost": guard let n = Int(value), SecretHash.allowedLogN.contains(n) else { return nil }; hashCost = n
            case "threads": guard let n = Int(value), ServeSettings.allowedThreads.contains(n) else { return nil }; threads = n
            case "max-contexts":
                guard let n = Int(value), DRMockServer.Options.allowedMaxContexts.contains(n) else { return nil }; maxContexts = n
            case "connection-memory-kib":
                guard let n = Int(value), ServeSettings.allowedConnectionMemoryKiB.contains(n) else { return nil }; connectionMemoryKiB = n
            default: return nil
            }
        }
        guard (try? TLSOptions.check(certificate: tlsCertificate, key: tlsKey, devCertificateDirectory: tlsDevCertificateDirectory)) != nil
        else { return nil }
    }

    /// Serves until SIGINT or SIGTERM.
    func run() throws {
        guard let mode = ClockState.Mode(rawValue: clock) else {
            throw ValidationError("--clock must be 'system' or 'manual'")
        }
        try checkHashCost(hashCost)
        if let threads { try checkRange(threads, ServeSettings.allowedThreads, option: "threads") }
        try checkRange(maxContexts, DRMockServer.Options.allowedMaxContexts, option: "max-contexts")
        if let connectionMemoryKiB {
            try checkRange(connectionMemoryKiB, ServeSettings.allowedConnectionMemoryKiB, option: "connection-memory-kib")
        }
        // Before any thread starts: big blocks (scrypt's buffer, big answers) go back to the system.
        ProcessMemory.tuneForServing()
        if reset && db != ":memory:" {
            for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) }
        }
        let loaded: DRMockServer.LoadedFixture
        let server: DRMockServer
        do {
            // A catalog file that exists is opened first: if it holds the context opened with this very
            // fixture file (its stamp), the file is not decoded again (start-up, issue #11). If it
            // cannot be opened here, the server opens it below and says why, as before.
            let catalog = db != ":memory:" && access(db, F_OK) == 0 ? try? DRCatalog(path: db) : nil
            loaded = try DRMockServer.loadFixture(fixture, catalog: catalog, context: context, build: ExecutableImage.buildID)
            let tls = try TLSOptions.load(certificate: tlsCertificate, key: tlsKey, devCertificateDirectory: tlsDevCertificateDirectory)
            var options = DRMockServer.Options(
                host: host, port: port, context: context, databasePath: db, fixtureSource: loaded.source,
                clockMode: mode, speed: speed, httpErrorStatus: httpErrorStatus,
                release: release, strict: strict, controlPlane: !noControl, tls: tls)
            options.controlAccess = ControlAccess(key: controlKey, loopbackOnly: controlLoopbackOnly)
            options.hashLogN = hashCost
            options.documentedOnly = documentedOnly
            options.maxContexts = maxContexts
            options.threads = threads
            options.connectionMemoryBytes = connectionMemoryKiB.map { $0 * 1024 }
            options.catalog = catalog
            server = try DRMockServer(options: options)
            if let plan = loaded.faultPlanJSON { try server.setFaultPlan(json: plan) }
            try server.start()
        } catch {
            throw ValidationError("\(error)")
        }
        print("drmock listening on \(server.baseURL) (release \(server.deployment.release)\(strict ? " strict" : "")\(documentedOnly ? " documented-only" : ""), fixture \(loaded.source.name), db \(db), clock \(mode.rawValue))")
        fflush(nil)
        // The handshake: only once the server answers a request on its own address.
        guard server.waitUntilAnswering() else {
            server.stop()
            throw ValidationError("the server did not answer on \(server.baseURL) within 5 s")
        }
        let line = server.readyLine(scenario: loaded.scenario)
        if let readyFile {
            guard writeAtomically(readyFile, line + "\n") else {
                server.stop()
                throw ValidationError("cannot write the ready file \(readyFile)")
            }
        }
        print(line)
        fflush(nil)
        let signal = waitForTerminationSignal()
        if let lintReport, !writeAtomically(lintReport, String(decoding: server.lintReportsJSON(), as: UTF8.self)) {
            print("drmock: cannot write the lint report \(lintReport)")
        }
        server.stop()
        print("drmock stopped (signal \(signal))")
    }
}
