import Foundation

public struct KeepNote: Equatable, Sendable {
    public var name: String
    public var title: String
    /// The note's text, or its checklist as "[x] item" lines.
    public var text: String
}

/// Google Keep's REST API, read-only. Google offers it to Workspace accounts only: others
/// get `GoogleError.unavailable(.keep)`, a normal state the UI shows as such.
public struct KeepClient: Sendable {
    public let google: GoogleClient
    var base: String { google.api.keep }

    public init(_ google: GoogleClient) {
        self.google = google
    }

    public func notes(limit: Int = 20) async throws -> [KeepNote] {
        let items = try await google.pages(.keep, base: base, path: "/notes", query: [("pageSize", String(min(limit, 100))), ("filter", "trashed=false")],
                                           itemsKey: "notes", limit: limit)
        return items.compactMap(Self.note)
    }

    static func note(_ json: JSONValue) -> KeepNote? {
        guard let name = json["name"]?.stringValue else { return nil }
        let body = json["body"]
        var text = body?["text"]?["text"]?.stringValue ?? ""
        if let items = body?["list"]?["listItems"]?.arrayValue {
            text = items.map { item in
                (item["checked"]?.boolValue == true ? "[x] " : "[ ] ") + (item["text"]?["text"]?.stringValue ?? "")
            }.joined(separator: "\n")
        }
        return KeepNote(name: name, title: json["title"]?.stringValue ?? "", text: text)
    }
}
