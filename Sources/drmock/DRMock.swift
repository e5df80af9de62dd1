import AdminAPI
import ArgumentParser
import DisasterRecovery
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// The command tree (``Entry`` is the program's entry point).
struct DRMock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drmock",
        abstract: "An emulator of the ArcGIS Enterprise on Kubernetes Enterprise Administrator API (disaster recovery).",
        version: DRMockVersion.current,
        subcommands: [Serve.self, ReleasesCommand.self, HashSecret.self, FixturesCommand.self, DevCert.self, ConformanceCommand.self, RecordCommand.self],
        defaultSubcommand: Serve.self)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the emulated API until SIGINT or SIGTERM.")
    /// The defaults live in one place, ``ServeSettings``, which the fast reader starts from too.
    private static let defaults = ServeSettings()

    @Option(help: "Address to listen on.") var host = defaults.host
    @Option(help: "Port to listen on (0 = any free port).") var port = defaults.port
    @Option(help: "The web context: URLs start with /<context>/.") var context = defaults.context
    @Option(help: "SQLite catalog file, or :memory:.") var db = defaults.db
    @Option(help: "Fixture name (in fixtures/) or path to a fixture JSON file.") var fixture = defaults.fixture
    @Option(help: "system (scaled by --speed) or manual (moves only when told).") var clock = defaults.clock
    @Option(help: "Emulated seconds per real second (system clock).") var speed = defaults.speed
    @Flag(help: "Answer errors with the envelope's code as HTTP status instead of 200.") var httpErrorStatus = false
    @Flag(help: "Delete the catalog file first, so the fixture is loaded anew.") var reset = false
    @Option(help: "Release to emulate: 10.9, 10.9.1, 11.0 ... 12.0 (default: the fixture's, else the newest).") var release: String?
    @Flag(help: "Turn off what the release lacks (404) and refuse parameters it does not know (400).") var strict = false
    @Flag(help: "Play none of the behaviours observed on real releases (see `drmock releases`): the documents' API only. A fault plan's `observe` still turns one on.")
    var documentedOnly = false
    @Option(help: "Once the server answers, write one JSON line (url, port, pid, release, fixture, clock) to this file.") var readyFile: String?
    @Flag(help: "Turn off the control plane under /_mock/ (clock, faults, journal, reset, health).") var noControl = false
    @Option(help: "Require this key in the X-Drmock-Control-Key header on every control endpoint but health and ready.") var controlKey: String?
    @Flag(help: "Answer the control plane only to clients on loopback (127.0.0.0/8, ::1).") var controlLoopbackOnly = false
    @Option(help: hashCostHelp) var hashCost = defaults.hashCost
    @Option(help: "Threads answering reads (libmicrohttpd's, each with its own epoll loop), 1 to 64 (default: one per core but one, at least 1).") var threads: Int?
    @Option(help: "Memory per connection for a request's head, in KiB, 8 to 1024 (default 16: a browser's head with about 7,600 bytes of cookies). A head that does not fit gets 431.")
    var connectionMemoryKib: Int?
    @Option(help: "The most contexts (/<context>/ deployments) served at once, 1 to 1000000; a request to one more answers 503 naming this option. DELETE /_mock/contexts/<name> frees one.")
    var maxContexts = defaults.maxContexts
    @Option(help: "At shutdown, write the client-behaviour linter's report on every context to this file (JSON: {\"reports\": [what GET /_mock/lint answers, per context]}), e.g. as a CI artifact.")
    var lintReport: String?
    @OptionGroup(title: "HTTPS") var tls: TLSOptions

    /// The parsed options as plain values (``ServeSettings/run()`` does the work).
    var settings: ServeSettings {
        ServeSettings(host: host, port: port, context: context, db: db, fixture: fixture, clock: clock, speed: speed,
                      httpErrorStatus: httpErrorStatus, reset: reset, release: release, strict: strict,
                      documentedOnly: documentedOnly, readyFile: readyFile,
                      noControl: noControl, controlKey: controlKey, controlLoopbackOnly: controlLoopbackOnly,
                      tlsCertificate: tls.certificate, tlsKey: tls.key, tlsDevCertificateDirectory: tls.devCertificateDirectory,
                      hashCost: hashCost, threads: threads, connectionMemoryKiB: connectionMemoryKib, maxContexts: maxContexts,
                      lintReport: lintReport)
    }

    func run() throws { try settings.run() }
}

/// `drmock releases`: each release's documented features, observed behaviours and drmock's decisions.
struct ReleasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releases",
        abstract: "Print, per release: fullVersion, documented features, behaviours observed in production (with sources), and drmock's decisions in force.")

    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the release table docs/releases.md holds (Markdown).") var markdown = false
    @Flag(help: "Print the numbered decisions docs/decisions.md holds (Markdown).") var decisions = false
    @Flag(help: "Show the behaviours as `drmock serve --documented-only` plays them (all off).") var documentedOnly = false

    func run() throws {
        let policy = BehaviourPolicy(documentedOnly: documentedOnly)
        if [json, markdown, decisions].filter({ $0 }).count > 1 { throw ValidationError("give one of --json, --markdown and --decisions") }
        if decisions {
            print(ReleaseReport.decisionsMarkdown(), terminator: "")
        } else if json {
            print(ReleaseReport.json(policy: policy).serializedString(pretty: true))
        } else if markdown {
            print(ReleaseReport.markdown(), terminator: "")
        } else {
            print(ReleaseReport.text(policy: policy), terminator: "")
        }
    }
}

struct HashSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the salted scrypt hash of a password or passcode, for fixtures (reads one line from stdin).")

    @Option(help: hashCostHelp) var hashCost = SecretHash.defaultLogN

    func run() throws {
        try checkHashCost(hashCost)
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("give the secret on standard input")
        }
        print(try SecretHash.make(line, logN: hashCost))
    }
}

/// `--hash-cost` of `serve` and `hash`.
let hashCostHelp = ArgumentHelp(
    "scrypt cost of new password and passcode hashes: log2 N, with r = 8 and p = 1 (\(SecretHash.allowedLogN.lowerBound)-\(SecretHash.allowedLogN.upperBound); 17 is OWASP's minimum).",
    valueName: "log2-N")

func checkHashCost(_ logN: Int) throws {
    try checkRange(logN, SecretHash.allowedLogN, option: "hash-cost", note: " (log2 of scrypt's N)")
}

/// Refuses `value` outside `range`: "--OPTION must be from A to B[NOTE], not VALUE".
func checkRange(_ value: Int, _ range: ClosedRange<Int>, option: String, note: String = "") throws {
    guard range.contains(value) else {
        throw ValidationError("--\(option) must be from \(range.lowerBound) to \(range.upperBound)\(note), not \(value)")
    }
}
