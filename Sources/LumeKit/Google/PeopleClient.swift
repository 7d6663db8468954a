import Foundation

public struct Contact: Equatable, Sendable {
    public var name: String
    public var emails: [String]
}

/// Google People's REST API: who the user is, and their contacts' addresses (Stage 1's
/// contacts.readonly scope, so no service permission is needed).
public struct PeopleClient: Sendable {
    public let google: GoogleClient
    var base: String { google.api.people }
    static let fields = "names,emailAddresses"

    public init(_ google: GoogleClient) {
        self.google = google
    }

    public func me() async throws -> Contact {
        let json = try await google.call(nil, base: base, path: "/people/me", query: [("personFields", Self.fields)])
        return Self.contact(json) ?? Contact(name: "", emails: [])
    }

    /// Contacts whose name or address starts with `query`. Google asks clients to send an
    /// empty "warm-up" search first so its cache is fresh; lookups make that call once.
    public func search(_ query: String, limit: Int = 10) async throws -> [Contact] {
        let json = try await google.call(nil, base: base, path: "/people:searchContacts",
                                         query: [("query", query), ("readMask", Self.fields), ("pageSize", String(min(limit, 30)))])
        return (json["results"]?.arrayValue ?? []).compactMap { $0["person"].flatMap(Self.contact) }
    }

    public func warmUp() async throws {
        _ = try await google.call(nil, base: base, path: "/people:searchContacts", query: [("query", ""), ("readMask", Self.fields)])
    }

    public func connections(limit: Int = 200) async throws -> [Contact] {
        let items = try await google.pages(nil, base: base, path: "/people/me/connections",
                                           query: [("personFields", Self.fields), ("pageSize", String(min(limit, 1000))), ("sortOrder", "FIRST_NAME_ASCENDING")],
                                           itemsKey: "connections", limit: limit)
        return items.compactMap(Self.contact)
    }

    static func contact(_ json: JSONValue) -> Contact? {
        let emails = (json["emailAddresses"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
        let name = json["names"]?.arrayValue?.first?["displayName"]?.stringValue ?? emails.first ?? ""
        guard !name.isEmpty || !emails.isEmpty else { return nil }
        return Contact(name: name, emails: emails)
    }
}
