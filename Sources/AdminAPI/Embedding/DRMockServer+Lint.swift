import DisasterRecovery

/// The client-behaviour linter from Swift: what the clients of a context did that would hurt them
/// against a real deployment (as `GET /_mock/lint`).
///
///     let report = try server.lint()
///     #expect(report.findings(atLeast: .warning).isEmpty, "\(report.text)")
extension DRMockServer {
    /// The linter's report on `context`'s journal (default: the server's `--context`). Needs the
    /// control plane (which keeps the journal).
    public func lint(context: String? = nil) throws -> LintReport {
        guard let control = controlPlane else { throw FixtureError("the linter reads the control plane's journal; start with the control plane on") }
        return try control.lintReport(context: context ?? options.context)
    }

    /// The reports of every context with a journal, as `drmock serve --lint-report FILE` writes them
    /// at shutdown: `{"reports": [<the GET /_mock/lint answer of each context>]}`.
    public func lintReportsJSON() -> [UInt8] {
        let reports = controlPlane?.lintReports() ?? []
        var bytes = JSONValue.object([("reports", .array(reports.map(\.json)))]).serialized(pretty: true)
        bytes.append(0x0a)
        return bytes
    }
}
