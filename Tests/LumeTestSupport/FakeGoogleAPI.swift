import Foundation
import LumeKit

/// Google's Gmail, Calendar, Tasks, Keep and People REST APIs as their references describe
/// them (paths, parameters, JSON shapes, error bodies), served by a `FakeGoogle` so the
/// bearer tokens it issued are checked for expiry and scope. State lives in memory; tests
/// seed it and read back what lume-tui wrote.
public final class FakeGoogleAPI: @unchecked Sendable {
    public struct Mail: Sendable {
        public var id: String
        public var threadID: String
        public var from: String
        public var to: String
        public var subject: String
        public var body: String
        public var html: Bool
        public var date: Date
        public var labels: [String]

        public init(id: String, from: String, to: String = "Ada Lovelace <ada@example.com>", subject: String, body: String,
                    html: Bool = false, date: Date, unread: Bool = false) {
            self.id = id
            self.threadID = "t-" + id
            self.from = from
            self.to = to
            self.subject = subject
            self.body = body
            self.html = html
            self.date = date
            self.labels = ["INBOX"] + (unread ? ["UNREAD"] : [])
        }
    }

    /// A message lume-tui sent, as the raw RFC 2822 text and its parsed parts.
    public struct SentMail: Sendable {
        public var raw: String
        public var headers: [String: String]
        public var rawHeaders: [String: String]
        public var body: String
    }

    public struct Event: Sendable {
        public var id: String
        public var json: [String: JSONValue]

        /// A timed event; `start` and `end` are RFC 3339 strings.
        public init(id: String, summary: String, start: String, end: String, transparent: Bool = false) {
            self.id = id
            var json: [String: JSONValue] = [
                "id": .string(id), "status": .string("confirmed"), "summary": .string(summary),
                "start": .object(["dateTime": .string(start)]), "end": .object(["dateTime": .string(end)]),
            ]
            if transparent { json["transparency"] = .string("transparent") }
            self.json = json
        }

        /// An event as lume-tui created it.
        init(id: String, json: [String: JSONValue]) {
            self.id = id
            self.json = json
        }

        /// An all-day event; `end` is the day after the last (exclusive), as Calendar stores it.
        public init(id: String, summary: String, day: String, endDay: String) {
            self.id = id
            json = ["id": .string(id), "status": .string("confirmed"), "summary": .string(summary),
                    "start": .object(["date": .string(day)]), "end": .object(["date": .string(endDay)])]
        }
    }

    public struct Person: Sendable {
        public var name: String
        public var emails: [String]
        public init(_ name: String, _ emails: String...) {
            self.name = name
            self.emails = emails
        }
    }

    private struct Failure {
        let pathContains: String
        let status: Int
        var remaining: Int
        let retryAfter: String?
    }

    private let google: FakeGoogle
    private let lock = NSLock()
    private var _mails: [Mail] = []
    private var _sent: [SentMail] = []
    private var _events: [Event] = []
    private var _taskLists: [(id: String, title: String)] = [("MTYwNDIx", "My Tasks")]
    private var _tasks: [String: [[String: JSONValue]]] = [:]
    private var _notes: [JSONValue] = []
    private var _people: [Person] = []
    private var _failures: [Failure] = []
    private var _warmUps = 0
    private var nextID = 1000
    private var _maxPageSize = 1000

    public init(_ google: FakeGoogle) {
        self.google = google
        google.extraRoutes = { [unowned self] request in self.handle(request) }
    }

    /// The `[google.api]` section pointing lume-tui's clients here.
    public var configSection: String {
        let base = google.baseURL
        return """
            [google.api]
            gmail = "\(base)/gmail/v1"
            calendar = "\(base)/calendar/v3"
            tasks = "\(base)/tasks/v1"
            keep = "\(base)/keep/v1"
            people = "\(base)/people/v1"

            """
    }

    public var apiConfig: Config.GoogleAPI {
        var api = Config.GoogleAPI()
        let base = google.baseURL
        api.gmail = base + "/gmail/v1"
        api.calendar = base + "/calendar/v3"
        api.tasks = base + "/tasks/v1"
        api.keep = base + "/keep/v1"
        api.people = base + "/people/v1"
        return api
    }

    // MARK: Seeding and reading back

    public func addMail(_ mail: Mail) { lock.withLock { _mails.append(mail) } }
    public func addEvent(_ event: Event) { lock.withLock { _events.append(event) } }
    public func addPerson(_ person: Person) { lock.withLock { _people.append(person) } }
    public func addTask(title: String, due: String? = nil, list: String = "MTYwNDIx") {
        lock.withLock {
            var task: [String: JSONValue] = ["id": .string(newID()), "title": .string(title), "status": .string("needsAction")]
            if let due { task["due"] = .string(due + "T00:00:00.000Z") }
            _tasks[list, default: []].append(task)
        }
    }
    public func addTaskList(id: String, title: String) { lock.withLock { _taskLists.append((id, title)) } }
    public func addNote(title: String, text: String) {
        lock.withLock { _notes.append(.object(["name": .string("notes/" + newID()), "title": .string(title), "body": .object(["text": .object(["text": .string(text)])])])) }
    }

    public var sent: [SentMail] { lock.withLock { _sent } }
    public var events: [Event] { lock.withLock { _events } }
    public func tasks(list: String = "MTYwNDIx") -> [[String: JSONValue]] { lock.withLock { _tasks[list] ?? [] } }
    public var warmUps: Int { lock.withLock { _warmUps } }

    /// Google may return fewer items than asked for; a small cap makes clients page.
    public var maxPageSize: Int {
        get { lock.withLock { _maxPageSize } }
        set { lock.withLock { _maxPageSize = newValue } }
    }

    /// The next `times` requests whose path contains `pathContains` get `status`.
    public func fail(_ pathContains: String, status: Int, times: Int = 1, retryAfter: String? = nil) {
        lock.withLock { _failures.append(Failure(pathContains: pathContains, status: status, remaining: times, retryAfter: retryAfter)) }
    }

    private func newID() -> String {
        nextID += 1
        return "id\(nextID)"
    }

    // MARK: Routing

    private func handle(_ request: TestHTTPRequest) -> TestHTTPResponse? {
        let path = request.path
        let service: (scopes: [String], route: (TestHTTPRequest, [String]) -> TestHTTPResponse)
        let prefix = "https://www.googleapis.com/auth/"
        if path.hasPrefix("/gmail/v1/") {
            let sending = path.hasSuffix("/messages/send")
            service = ([prefix + (sending ? "gmail.send" : "gmail.readonly"), prefix + "gmail.modify"], gmail)
        } else if path.hasPrefix("/calendar/v3/") {
            service = ([prefix + "calendar", prefix + "calendar.events"], calendar)
        } else if path.hasPrefix("/tasks/v1/") {
            service = ([prefix + "tasks"], tasks)
        } else if path.hasPrefix("/keep/v1/") {
            service = ([prefix + "keep.readonly", prefix + "keep"], keep)
        } else if path.hasPrefix("/people/v1/") {
            service = ([prefix + "contacts.readonly", prefix + "userinfo.profile"], people)
        } else {
            return nil
        }
        let allowed = service.scopes.map { google.accessTokenAllows(request.bearerToken, scope: $0) }
        if allowed.contains(where: { $0 == nil }) {
            return Self.error(401, "Request had invalid authentication credentials.", status: "UNAUTHENTICATED")
        }
        guard allowed.contains(true) else {
            return Self.error(403, "Request had insufficient authentication scopes.", status: "PERMISSION_DENIED",
                              reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", legacyReason: "insufficientPermissions")
        }
        if let failure = takeFailure(path) {
            let headers = failure.retryAfter.map { [HTTPHeader("Retry-After", $0)] } ?? []
            return .json(failure.status, Self.errorBody(failure.status, failure.status == 429 ? "Rate Limit Exceeded" : "Backend Error",
                                                       status: failure.status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE"), headers: headers)
        }
        let segments = path.split(separator: "/").dropFirst(2).map { FormEncoding.unescape($0) ?? String($0) }
        return service.route(request, segments)
    }

    private func takeFailure(_ path: String) -> Failure? {
        lock.withLock {
            guard let index = _failures.firstIndex(where: { path.contains($0.pathContains) && $0.remaining > 0 }) else { return nil }
            _failures[index].remaining -= 1
            return _failures[index]
        }
    }

    static func errorBody(_ code: Int, _ message: String, status: String, reason: String? = nil, legacyReason: String? = nil) -> JSONValue {
        var error: [String: JSONValue] = ["code": .number(Double(code)), "message": .string(message), "status": .string(status)]
        if let legacyReason {
            error["errors"] = .array([.object(["message": .string(message), "domain": .string("global"), "reason": .string(legacyReason)])])
        }
        if let reason {
            error["details"] = .array([.object(["@type": .string("type.googleapis.com/google.rpc.ErrorInfo"), "reason": .string(reason), "domain": .string("googleapis.com")])])
        }
        return .object(["error": .object(error)])
    }

    static func error(_ code: Int, _ message: String, status: String, reason: String? = nil, legacyReason: String? = nil) -> TestHTTPResponse {
        .json(code, errorBody(code, message, status: status, reason: reason, legacyReason: legacyReason))
    }

    static func badRequest(_ message: String) -> TestHTTPResponse { error(400, message, status: "INVALID_ARGUMENT") }
    static let notFound = error(404, "Requested entity was not found.", status: "NOT_FOUND")

    /// Pages `items` by the request's page-size parameter and `pageToken` (an offset here).
    private func page(_ items: [JSONValue], _ request: TestHTTPRequest, sizeParameter: String, itemsKey: String, defaultSize: Int,
                             extra: [String: JSONValue] = [:]) -> TestHTTPResponse {
        let size = min(maxPageSize, max(1, Int(request.query[sizeParameter] ?? "") ?? defaultSize))
        let offset = Int(request.query["pageToken"] ?? "0") ?? 0
        let slice = Array(items.dropFirst(offset).prefix(size))
        var body = extra
        if !slice.isEmpty { body[itemsKey] = .array(slice) }
        if offset + size < items.count { body["nextPageToken"] = .string(String(offset + size)) }
        return .json(200, .object(body))
    }

    // MARK: Gmail

    private func gmail(_ request: TestHTTPRequest, _ segments: [String]) -> TestHTTPResponse {
        guard segments.count >= 3, segments[0] == "users", segments[1] == "me" else { return Self.notFound }
        let rest = Array(segments.dropFirst(2))
        let route = request.method + " " + rest.map { $0 == "send" || $0 == "messages" || $0 == "labels" ? $0 : "*" }.joined(separator: "/")
        switch route {
        case "GET messages":
            let query = request.query["q"] ?? ""
            let matches = lock.withLock { _mails }.filter { Self.matches($0, query: query) }.sorted { $0.date > $1.date }
            let references = matches.map { JSONValue.object(["id": .string($0.id), "threadId": .string($0.threadID)]) }
            return page(references, request, sizeParameter: "maxResults", itemsKey: "messages", defaultSize: 100,
                             extra: ["resultSizeEstimate": .number(Double(matches.count))])
        case "GET messages/*":
            let id = rest[1]
            guard let mail = lock.withLock({ _mails.first { $0.id == id } }) else { return Self.notFound }
            return .json(200, Self.message(mail, format: request.query["format"] ?? "full", headers: request.queryValues("metadataHeaders")))
        case "POST messages/send":
            guard let raw = request.json["raw"]?.stringValue, let sent = Self.parseRaw(raw) else { return Self.badRequest("Invalid value for ByteString") }
            guard let to = sent.headers["to"], !to.isEmpty else { return Self.badRequest("Recipient address required") }
            let id = lock.withLock { () -> String in
                _sent.append(sent)
                return newID()
            }
            return .json(200, .object(["id": .string(id), "threadId": .string(id), "labelIds": .array([.string("SENT")])]))
        case "GET labels":
            let labels: [JSONValue] = [("INBOX", "INBOX", "system"), ("UNREAD", "UNREAD", "system"), ("SENT", "SENT", "system"), ("Label_1", "Receipts", "user")]
                .map { .object(["id": .string($0.0), "name": .string($0.1), "type": .string($0.2)]) }
            return .json(200, .object(["labels": .array(labels)]))
        default:
            return Self.notFound
        }
    }

    /// The part of Gmail's search syntax the fake understands; unknown operators fail loudly.
    static func matches(_ mail: Mail, query: String) -> Bool {
        for term in query.split(separator: " ") {
            let parts = term.split(separator: ":", maxSplits: 1).map(String.init)
            let ok: Bool
            if parts.count == 2 {
                let value = parts[1].lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                switch parts[0] {
                case "is": ok = value == "unread" ? mail.labels.contains("UNREAD") : value == "read" ? !mail.labels.contains("UNREAD") : false
                case "in": ok = value == "inbox" ? mail.labels.contains("INBOX") : value == "anywhere"
                case "from": ok = mail.from.lowercased().contains(value)
                case "to": ok = mail.to.lowercased().contains(value)
                case "subject": ok = mail.subject.lowercased().contains(value)
                case "newer_than", "older_than":
                    guard value.hasSuffix("d"), let days = Double(value.dropLast()) else { return false }
                    let cutoff = Date().addingTimeInterval(-days * 86400)
                    ok = parts[0] == "newer_than" ? mail.date > cutoff : mail.date < cutoff
                case "after", "before":
                    // Gmail takes a date (YYYY/MM/DD) or, exactly, seconds since the epoch.
                    guard let day = TimeInterval(value).map(Date.init(timeIntervalSince1970:))
                        ?? ISO8601DateFormatter.day(value.replacingOccurrences(of: "/", with: "-")) else { return false }
                    ok = parts[0] == "after" ? mail.date >= day : mail.date < day
                default: return false
                }
            } else {
                let word = term.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                ok = [mail.subject, mail.body, mail.from].contains { $0.lowercased().contains(word) }
            }
            if !ok { return false }
        }
        return true
    }

    static func message(_ mail: Mail, format: String, headers wanted: [String]) -> JSONValue {
        let allHeaders = [("From", mail.from), ("To", mail.to), ("Subject", mail.subject), ("Date", "date"), ("Message-ID", "<\(mail.id)@example.com>")]
        let headers = allHeaders.filter { format != "metadata" || wanted.isEmpty || wanted.contains($0.0) }
            .map { JSONValue.object(["name": .string($0.0), "value": .string($0.1)]) }
        let snippet = String(mail.body.prefix(100)).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "'", with: "&#39;")
        var payload: [String: JSONValue] = ["headers": .array(headers), "mimeType": .string("multipart/alternative")]
        if format == "full" {
            func part(_ type: String, _ text: String) -> JSONValue {
                .object(["mimeType": .string(type), "body": .object(["size": .number(Double(text.utf8.count)), "data": .string(Base64URL.encode(Array(text.utf8)))])])
            }
            payload["parts"] = .array(mail.html ? [part("text/html", mail.body)]
                                                : [part("text/plain", mail.body), part("text/html", "<div>\(mail.body)</div>")])
        }
        return .object([
            "id": .string(mail.id), "threadId": .string(mail.threadID), "labelIds": .array(mail.labels.map(JSONValue.string)),
            "snippet": .string(snippet), "internalDate": .string(String(Int64(mail.date.timeIntervalSince1970 * 1000))),
            "payload": .object(payload),
        ])
    }

    /// Parses a raw message the way a receiving mail system would, independently of
    /// lume-tui's own encoder.
    static func parseRaw(_ raw: String) -> SentMail? {
        var base64 = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              let split = text.range(of: "\r\n\r\n") else { return nil }
        var rawHeaders: [String: String] = [:]
        var lastName: String?
        for line in text[..<split.lowerBound].components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let name = lastName {
                rawHeaders[name]! += "\r\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                rawHeaders[name] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                lastName = name
            } else {
                return nil
            }
        }
        let headers = rawHeaders.mapValues(decodeWords)
        var body = String(text[split.upperBound...])
        if rawHeaders["content-transfer-encoding"]?.lowercased() == "base64" {
            guard let decoded = Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: "")), let string = String(data: decoded, encoding: .utf8) else { return nil }
            body = string
        }
        return SentMail(raw: text, headers: headers, rawHeaders: rawHeaders, body: body)
    }

    /// RFC 2047 "B" words in UTF-8, with folding whitespace between words removed.
    static func decodeWords(_ value: String) -> String {
        let unfolded = value.replacingOccurrences(of: "?=\r\n =?", with: "?==?")
        var result = ""
        var rest = Substring(unfolded)
        while let start = rest.range(of: "=?UTF-8?B?") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "?=") else { break }
            let payload = String(rest[start.upperBound..<end.lowerBound])
            result += Data(base64Encoded: payload).flatMap { String(data: $0, encoding: .utf8) } ?? "�"
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    // MARK: Calendar

    private func calendar(_ request: TestHTTPRequest, _ segments: [String]) -> TestHTTPResponse {
        guard segments.count == 3, segments[0] == "calendars", segments[1] == "primary", segments[2] == "events" else { return Self.notFound }
        switch request.method {
        case "GET":
            let query = request.query
            guard let min = query["timeMin"].flatMap(ISO8601DateFormatter.instant), let max = query["timeMax"].flatMap(ISO8601DateFormatter.instant) else {
                return Self.badRequest("Bad Request: timeMin and timeMax must be RFC3339 timestamps with a time zone offset")
            }
            if query["orderBy"] == "startTime" && query["singleEvents"] != "true" {
                return Self.badRequest("The requested ordering is not available for the particular query.")
            }
            let zone = query["timeZone"].flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
            let overlapping = lock.withLock { _events }.compactMap { event -> (Date, JSONValue)? in
                guard let start = Self.instant(event.json["start"], zone: zone), let end = Self.instant(event.json["end"], zone: zone),
                      start < max, end > min else { return nil }
                return (start, .object(event.json))
            }.sorted { $0.0 < $1.0 }.map(\.1)
            return page(overlapping, request, sizeParameter: "maxResults", itemsKey: "items", defaultSize: 250,
                             extra: ["kind": .string("calendar#events"), "timeZone": .string(zone.identifier)])
        case "POST":
            var json = request.json
            guard case var .object(fields) = json, fields["summary"]?.stringValue != nil,
                  let start = fields["start"]?["dateTime"]?.stringValue, ISO8601DateFormatter.instant(start) != nil,
                  let end = fields["end"]?["dateTime"]?.stringValue, ISO8601DateFormatter.instant(end) != nil else {
                return Self.badRequest("Missing or invalid start/end time.")
            }
            let id = lock.withLock { newID() }
            fields["id"] = .string(id)
            fields["status"] = .string("confirmed")
            fields["htmlLink"] = .string("https://www.google.com/calendar/event?eid=\(id)")
            json = .object(fields)
            lock.withLock { _events.append(Event(id: id, json: fields)) }
            return .json(200, json)
        default:
            return Self.notFound
        }
    }

    private static func instant(_ time: JSONValue?, zone: TimeZone) -> Date? {
        if let dateTime = time?["dateTime"]?.stringValue { return ISO8601DateFormatter.instant(dateTime) }
        guard let day = time?["date"]?.stringValue, let utc = ISO8601DateFormatter.day(day) else { return nil }
        return utc.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: utc)))
    }

    // MARK: Tasks

    private func tasks(_ request: TestHTTPRequest, _ segments: [String]) -> TestHTTPResponse {
        let route = request.method + " " + segments.enumerated().map { [0, 2].contains($0.offset) || $0.element == "@me" ? $0.element : "*" }.joined(separator: "/")
        let list = segments.count > 1 ? segments[1] : ""
        switch route {
        case "GET users/@me/lists":
            let lists = lock.withLock { _taskLists }.map { JSONValue.object(["id": .string($0.id), "title": .string($0.title), "kind": .string("tasks#taskList")]) }
            return page(lists, request, sizeParameter: "maxResults", itemsKey: "items", defaultSize: 20)
        case "GET lists/*/tasks":
            guard lock.withLock({ _taskLists.contains { $0.id == list } }) else { return Self.notFound }
            // Google's default is to show completed tasks; lume-tui asks explicitly.
            let showCompleted = request.query["showCompleted"] != "false"
            let items = (lock.withLock { _tasks[list] } ?? []).filter { showCompleted || $0["status"]?.stringValue != "completed" }.map(JSONValue.object)
            return page(items, request, sizeParameter: "maxResults", itemsKey: "items", defaultSize: 20)
        case "POST lists/*/tasks":
            guard lock.withLock({ _taskLists.contains { $0.id == list } }) else { return Self.notFound }
            guard case var .object(task) = request.json, task["title"]?.stringValue != nil else { return Self.badRequest("Invalid task") }
            if let due = task["due"]?.stringValue, ISO8601DateFormatter.instant(due) == nil { return Self.badRequest("Invalid value for: due") }
            task["id"] = .string(lock.withLock { newID() })
            task["status"] = task["status"] ?? .string("needsAction")
            lock.withLock { _tasks[list, default: []].append(task) }
            return .json(200, .object(task))
        case "PATCH lists/*/tasks/*":
            let id = segments[3]
            return lock.withLock {
                guard let index = _tasks[list]?.firstIndex(where: { $0["id"]?.stringValue == id }) else { return Self.notFound }
                guard case let .object(patch) = request.json else { return Self.badRequest("Invalid patch") }
                for (key, value) in patch { _tasks[list]![index][key] = value }
                if patch["status"]?.stringValue == "completed" { _tasks[list]![index]["completed"] = .string("2026-11-27T12:00:00.000Z") }
                return .json(200, .object(_tasks[list]![index]))
            }
        default:
            return Self.notFound
        }
    }

    // MARK: Keep

    private func keep(_ request: TestHTTPRequest, _ segments: [String]) -> TestHTTPResponse {
        if google.keepUnavailable {
            return Self.error(403, "The caller does not have permission", status: "PERMISSION_DENIED")
        }
        guard request.method == "GET", segments == ["notes"] else { return Self.notFound }
        return page(lock.withLock { _notes }, request, sizeParameter: "pageSize", itemsKey: "notes", defaultSize: 20)
    }

    // MARK: People

    private func people(_ request: TestHTTPRequest, _ segments: [String]) -> TestHTTPResponse {
        func person(_ person: Person) -> JSONValue {
            .object(["resourceName": .string("people/c" + String(person.name.unicodeScalars.reduce(0) { $0 &* 31 &+ Int($1.value) } & 0xFFFFF)),
                     "names": .array([.object(["displayName": .string(person.name)])]),
                     "emailAddresses": .array(person.emails.map { .object(["value": .string($0)]) })])
        }
        let query = request.query
        switch request.method + " " + segments.joined(separator: "/") {
        case "GET people/me":
            guard query["personFields"] != nil else { return Self.badRequest("personFields mask is required.") }
            let account = google.account
            return .json(200, person(Person(account.name, account.email)))
        case "GET people:searchContacts":
            guard query["readMask"] != nil else { return Self.badRequest("readMask is required.") }
            let text = (query["query"] ?? "").lowercased()
            if text.isEmpty {
                lock.withLock { _warmUps += 1 }
                return .json(200, .object([:]))
            }
            // Prefix matching on name words and addresses, as Google documents.
            let matches = lock.withLock { _people }.filter { person in
                person.name.lowercased().split(separator: " ").contains { $0.hasPrefix(text) } || person.name.lowercased().hasPrefix(text)
                    || person.emails.contains { $0.lowercased().hasPrefix(text) }
            }
            let size = Int(query["pageSize"] ?? "10") ?? 10
            return .json(200, .object(["results": .array(matches.prefix(size).map { .object(["person": person($0)]) })]))
        case "GET people/me/connections":
            guard query["personFields"] != nil else { return Self.badRequest("personFields mask is required.") }
            let all = lock.withLock { _people }.sorted { $0.name < $1.name }.map(person)
            return page(all, request, sizeParameter: "pageSize", itemsKey: "connections", defaultSize: 100, extra: ["totalPeople": .number(Double(all.count))])
        default:
            return Self.notFound
        }
    }
}

extension ISO8601DateFormatter {
    /// An RFC 3339 timestamp with a mandatory offset (fractional seconds allowed).
    static func instant(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// "2026-11-27" as midnight UTC.
    static func day(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withDashSeparatorInDate]
        return formatter.date(from: text)
    }
}
