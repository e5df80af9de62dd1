import HTTPServer
import Testing

@Suite struct URLEncodingTests {
    private func pairs(_ s: String) -> [String] {
        URLEncoding.decodePairs(s).map { "\($0.name)=\($0.value)" }
    }

    @Test func keepsOrderAndDuplicates() {
        #expect(pairs("b=2&a=1&b=3") == ["b=2", "a=1", "b=3"])
    }

    @Test func decodesPlusAndPercent() {
        #expect(pairs("q=a+b%20c&%6E%61me=%E2%9C%93") == ["q=a b c", "name=✓"])
    }

    @Test func segmentsWithoutValueOrName() {
        #expect(pairs("flag&=v&k=") == ["flag=", "=v", "k="])
        #expect(pairs("a=1&&b=2&") == ["a=1", "b=2"])
        #expect(pairs("") == [])
        #expect(pairs("&&") == [])
    }

    @Test func onlyFirstEqualsSplits() {
        #expect(pairs("token=abc==&x=a=b") == ["token=abc==", "x=a=b"])
    }

    @Test func invalidPercentEncodingIsKeptAsIs() {
        #expect(pairs("a=%ZZ&b=%2&c=%&d=100%") == ["a=%ZZ", "b=%2", "c=%", "d=100%"])
        #expect(pairs("e=%4") == ["e=%4"])
        #expect(pairs("f=%%41") == ["f=%A"])
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        #expect(pairs("a=%FF&b=x%C3") == ["a=\u{FFFD}", "b=x\u{FFFD}"])
        #expect(pairs("c=%C3%A9") == ["c=é"])
    }

    @Test func rawBytesAreDecodedToo() {
        let bytes: [UInt8] = Array("n=".utf8) + [0xFF, 0x41]
        #expect(URLEncoding.decodePairs(bytes).map(\.value) == ["\u{FFFD}A"])
    }

    @Test func decodeComponentPlusHandling() {
        #expect(URLEncoding.decode("/a+b%20c", plusIsSpace: false) == "/a+b c")
        #expect(URLEncoding.decode("/a+b%20c", plusIsSpace: true) == "/a b c")
        #expect(URLEncoding.decode("%00", plusIsSpace: false) == "\u{0}")
    }
}

@Suite struct RequestTests {
    let request = Request(
        method: "GET",
        path: "/",
        query: [(name: "a", value: "1"), (name: "A", value: "2"), (name: "a", value: "3")],
        form: [(name: "f", value: "x")],
        headers: [(name: "content-type", value: "text/plain"), (name: "x-dup", value: "1"), (name: "x-dup", value: "2")],
        body: [],
        isTLS: false,
        remoteAddress: ""
    )

    @Test func headerLookupIsCaseInsensitiveAndFirstMatch() {
        #expect(request.header("Content-Type") == "text/plain")
        #expect(request.header("X-DUP") == "1")
        #expect(request.header("missing") == nil)
    }

    @Test func queryAndFormLookupAreExact() {
        #expect(request.queryValue("a") == "1")
        #expect(request.queryValue("A") == "2")
        #expect(request.formValue("f") == "x")
        #expect(request.formValue("F") == nil)
    }

    @Test func textResponse() {
        let response = Response.text("héllo", status: 404)
        #expect(response.status == 404)
        #expect(response.body == Array("héllo".utf8))
        #expect(response.headers.first?.value == "text/plain; charset=utf-8")
    }
}
