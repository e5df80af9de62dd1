@testable import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// `drmock releases` and the docs that hold its Markdown: docs/releases.md's table, docs/decisions.md's list.
@Suite struct ReleaseReportTests {
    /// The text between `<!-- drmock releases OPTION: begin -->` and its end marker in `file`.
    func generated(_ file: String, _ option: String) throws -> String {
        let text = try String(contentsOfFile: Harness.root + "/" + file, encoding: .utf8)
        let begin = "<!-- drmock releases \(option): begin -->\n", end = "<!-- drmock releases \(option): end -->"
        let start = try #require(text.range(of: begin), "\(file) lacks \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<stop.lowerBound])
    }

    @Test func theDocsHoldTheGeneratedTableAndDecisions() throws {
        #expect(try generated("docs/releases.md", "--markdown") == ReleaseReport.markdown(),
                "docs/releases.md's table is stale: replace it with the output of `drmock releases --markdown`")
        #expect(try generated("docs/decisions.md", "--decisions") == ReleaseReport.decisionsMarkdown(),
                "docs/decisions.md is stale: replace its list with the output of `drmock releases --decisions`")
    }

    @Test func everyReleaseShowsItsThreeParts() throws {
        let json = ReleaseReport.json()
        let releases = try #require(json["releases"]?.arrayValue)
        #expect(releases.count == Release.all.count)
        let r120 = try #require(releases.first { $0["release"]?.stringValue == "12.0" })
        #expect(r120["observed"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
                == ["completed-backup-job-without-result", "store-update-needs-supportBDSBackup"])
        #expect(r120["decisions"]?.arrayValue?.contains(.int(4)) == false)
        let off = ReleaseReport.json(policy: .init(documentedOnly: true))
        let played = off["releases"]?.arrayValue?.flatMap { $0["observed"]?.arrayValue ?? [] }.compactMap { $0["played"]?.boolValue }
        #expect(played?.allSatisfy { !$0 } == true)
        #expect(ReleaseReport.text().contains("https://github.com/Esri/arcgis-gitops/issues/268"))
    }
}
