import Testing
@testable import LumeKit
@Test func version() { #expect(LumeKitInfo.version == "0.1.0") }
