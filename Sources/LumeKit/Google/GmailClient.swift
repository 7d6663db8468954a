import Foundation

/// A message as a list shows it.
public struct MailSummary: Equatable, Sendable {
    public var id: String
    public var threadID: String
    public var from: String
    public var to: String
    public var subject: String
    public var date: Date?
    public var snippet: String
    public var unread: Bool
}

/// A message opened in full: its summary and its text.
public struct MailMessage: Equatable, Sendable {
    public var summary: MailSummary
    public var body: String
}

public struct MailLabel: Equatable, Sendable {
    public var id: String
    public var name: String
    public var system: Bool
}

/// Gmail's REST API (users.messages list/get/send, users.labels list) for the signed-in user.
public struct GmailClient: Sendable {
    public let google: GoogleClient
    var base: String { google.api.gmail }

    public init(_ google: GoogleClient) {
        self.google = google
    }

    static let summaryHeaders = ["From", "To", "Subject", "Date"]
    static let parallelFetches = 8

    /// Messages matching a Gmail search (`is:unread from:alice newer_than:7d`), newest
    /// first, each with its headers and snippet.
    public func search(_ query: String, limit: Int = 10) async throws -> [MailSummary] {
        var parameters = [("maxResults", String(min(limit, 100)))]
        if !query.isEmpty { parameters.append(("q", query)) }
        let references = try await google.pages(.email, base: base, path: "/users/me/messages", query: parameters, itemsKey: "messages", limit: limit)
        let ids = references.compactMap { $0["id"]?.stringValue }
        // Metadata fetches are independent: a few at a time side by side, in list order.
        var summaries: [MailSummary] = []
        for start in stride(from: 0, to: ids.count, by: Self.parallelFetches) {
            let batch = ids[start..<min(ids.count, start + Self.parallelFetches)]
            summaries += try await withThrowingTaskGroup(of: (Int, MailSummary).self) { group in
                for (index, id) in batch.enumerated() {
                    group.addTask { (index, try await summary(id: id)) }
                }
                return try await group.reduce(into: [(Int, MailSummary)]()) { $0.append($1) }
            }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return summaries
    }

    func summary(id: String) async throws -> MailSummary {
        let json = try await google.call(.email, base: base, path: "/users/me/messages/" + FormEncoding.escape(id),
                                         query: [("format", "metadata")] + Self.summaryHeaders.map { ("metadataHeaders", $0) })
        return Self.summary(json)
    }

    /// One message with its plain-text body (HTML-only mail is reduced to its text).
    public func message(id: String) async throws -> MailMessage {
        let json = try await google.call(.email, base: base, path: "/users/me/messages/" + FormEncoding.escape(id), query: [("format", "full")])
        return MailMessage(summary: Self.summary(json), body: Self.bodyText(json["payload"] ?? .null))
    }

    /// Sends a message; returns the new message's id.
    @discardableResult
    public func send(_ draft: EmailDraft, from: MailAddress?) async throws -> String {
        let raw = MailComposer.compose(draft, from: from)
        let json = try await google.call(.email, method: "POST", base: base, path: "/users/me/messages/send",
                                         body: .object(["raw": .string(Base64URL.encode(Array(raw.utf8)))]))
        return json["id"]?.stringValue ?? ""
    }

    public func labels() async throws -> [MailLabel] {
        let json = try await google.call(.email, base: base, path: "/users/me/labels")
        return (json["labels"]?.arrayValue ?? []).compactMap { label in
            guard let id = label["id"]?.stringValue else { return nil }
            return MailLabel(id: id, name: label["name"]?.stringValue ?? id, system: label["type"]?.stringValue == "system")
        }
    }

    static func summary(_ json: JSONValue) -> MailSummary {
        var headers: [String: String] = [:]
        for header in json["payload"]?["headers"]?.arrayValue ?? [] {
            guard let name = header["name"]?.stringValue?.lowercased(), headers[name] == nil else { continue }
            headers[name] = MailHeader.decode(header["value"]?.stringValue ?? "")
        }
        let labels = (json["labelIds"]?.arrayValue ?? []).compactMap(\.stringValue)
        let internalDate = json["internalDate"]?.stringValue.flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) }
        return MailSummary(id: json["id"]?.stringValue ?? "", threadID: json["threadId"]?.stringValue ?? "",
                           from: headers["from"] ?? "", to: headers["to"] ?? "", subject: headers["subject"] ?? "",
                           date: internalDate, snippet: HTMLText.decodeEntities(json["snippet"]?.stringValue ?? ""),
                           unread: labels.contains("UNREAD"))
    }

    /// The first text/plain part, else the first text/html part stripped to text.
    static func bodyText(_ payload: JSONValue) -> String {
        if let plain = firstPart(payload, mimeType: "text/plain") { return decodeBody(plain) }
        if let html = firstPart(payload, mimeType: "text/html") { return HTMLText.plain(decodeBody(html)) }
        return ""
    }

    private static func firstPart(_ part: JSONValue, mimeType: String) -> JSONValue? {
        if part["mimeType"]?.stringValue?.lowercased() == mimeType, part["body"]?["data"] != nil { return part }
        for child in part["parts"]?.arrayValue ?? [] {
            if let found = firstPart(child, mimeType: mimeType) { return found }
        }
        return nil
    }

    private static func decodeBody(_ part: JSONValue) -> String {
        guard let data = part["body"]?["data"]?.stringValue.flatMap({ Base64URL.decode($0.replacingOccurrences(of: "=", with: "")) }) else { return "" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// Just enough HTML handling to read an HTML-only email as text.
enum HTMLText {
    static func plain(_ html: String) -> String {
        var text = ""
        var inTag = false
        var tag = ""
        var skipping = false
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first.map(String.init) ?? ""
                    if name == "script" || name == "style" { skipping = true }
                    if tag.lowercased().hasPrefix("/script") || tag.lowercased().hasPrefix("/style") { skipping = false }
                    if ["br", "p", "/p", "div", "/div", "li", "tr", "h1", "h2", "h3"].contains(name) { text += "\n" }
                } else {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
                tag = ""
            } else if !skipping {
                text.append(character)
            }
        }
        let lines = decodeEntities(text).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.joined(separator: "\n").replacingOccurrences(of: "\n\n\n", with: "\n\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Gmail's snippets carry HTML entities too ("&#39;", "&amp;").
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named = ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&apos;": "'", "&nbsp;": " "]
        var result = text
        for (entity, value) in named where entity != "&amp;" { result = result.replacingOccurrences(of: entity, with: value) }
        return result.replacingOccurrences(of: "&amp;", with: "&")
    }
}
