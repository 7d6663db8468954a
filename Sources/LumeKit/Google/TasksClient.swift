import Foundation

public struct TaskList: Equatable, Sendable, Codable {
    public var id: String
    public var title: String

    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

public struct TaskItem: Equatable, Sendable, Codable {
    public var id: String
    public var listID: String
    public var title: String
    public var notes: String?
    /// The due day, "2026-11-28". Tasks stores only the date of `due`: the time part of the
    /// timestamp is always midnight UTC and means nothing, so it is never shifted to a zone.
    public var due: String?
    public var completed: Bool
}

/// A task as the user confirms it before it is created.
public struct TaskDraft: Equatable, Sendable, Codable {
    public var title: String
    public var due: String?
    public var notes: String?

    public init(title: String, due: String? = nil, notes: String? = nil) {
        self.title = title
        self.due = due
        self.notes = notes
    }
}

/// Google Tasks' REST API: task lists, their tasks, adding and completing.
public struct TasksClient: Sendable {
    public let google: GoogleClient
    var base: String { google.api.tasks }

    public init(_ google: GoogleClient) {
        self.google = google
    }

    public func lists() async throws -> [TaskList] {
        let items = try await google.pages(.tasks, base: base, path: "/users/@me/lists", query: [("maxResults", "100")], itemsKey: "items", limit: 1000)
        return items.compactMap { item in
            item["id"]?.stringValue.map { TaskList(id: $0, title: item["title"]?.stringValue ?? "") }
        }
    }

    /// The default list ("My Tasks"): Google returns it first.
    public func defaultList() async throws -> TaskList {
        guard let list = try await lists().first else { throw GoogleError.notFound("a task list") }
        return list
    }

    public func tasks(in list: TaskList, includeCompleted: Bool = false, limit: Int = 100) async throws -> [TaskItem] {
        let query = [("maxResults", "100"), ("showCompleted", includeCompleted ? "true" : "false"), ("showHidden", includeCompleted ? "true" : "false")]
        let items = try await google.pages(.tasks, base: base, path: Self.tasksPath(list.id), query: query, itemsKey: "items", limit: limit)
        return items.compactMap { Self.task($0, listID: list.id) }
    }

    public func insert(_ draft: TaskDraft, into list: TaskList) async throws -> TaskItem {
        var body: [String: JSONValue] = ["title": .string(draft.title)]
        if let due = draft.due { body["due"] = .string(due + "T00:00:00.000Z") }
        if let notes = draft.notes { body["notes"] = .string(notes) }
        let json = try await google.call(.tasks, method: "POST", base: base, path: Self.tasksPath(list.id), body: .object(body))
        guard let task = Self.task(json, listID: list.id) else { throw GoogleError.rejected(status: 200, message: "Tasks returned no task") }
        return task
    }

    public func complete(_ task: TaskItem) async throws -> TaskItem {
        let json = try await google.call(.tasks, method: "PATCH", base: base, path: Self.tasksPath(task.listID) + "/" + FormEncoding.escape(task.id),
                                         body: .object(["status": .string("completed")]))
        return Self.task(json, listID: task.listID) ?? task
    }

    static func tasksPath(_ listID: String) -> String { "/lists/" + FormEncoding.escape(listID) + "/tasks" }

    static func task(_ json: JSONValue, listID: String) -> TaskItem? {
        guard let id = json["id"]?.stringValue else { return nil }
        let due = json["due"]?.stringValue.map { String($0.prefix(10)) }
        let notes = json["notes"]?.stringValue
        return TaskItem(id: id, listID: listID, title: json["title"]?.stringValue ?? "", notes: notes?.isEmpty == true ? nil : notes,
                        due: due, completed: json["status"]?.stringValue == "completed")
    }
}
