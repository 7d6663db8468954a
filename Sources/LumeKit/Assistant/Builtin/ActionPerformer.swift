import Foundation

/// Does a confirmed `PendingAction` and says what was done, in the words the transcript shows.
struct ActionPerformer {
    let session: GoogleSession
    let time: LocalTime

    func perform(_ action: PendingAction) async throws -> String {
        switch action {
        case let .sendEmail(draft):
            try await session.gmail.send(draft, from: session.me)
            return "Sent “\(draft.subject)” to " + draft.to.map(\.description).joined(separator: ", ") + "."
        case let .createEvent(draft):
            let event = try await session.calendar.insert(draft)
            let invited = draft.attendees.isEmpty ? "" : " Google emails the invitations to " + draft.attendees.map(\.email).joined(separator: ", ") + "."
            return "Created **\(event.title)**, \(EventFormat.range(draft.start, draft.end, time)).\(invited)"
        case let .addTask(draft, list):
            let task = try await session.tasks.insert(draft, into: list)
            let due = task.due.flatMap { time.parse($0) }.map { ", due \(time.describe($0, withTime: false))" } ?? ""
            return "Added **\(task.title)** to \(list.title)\(due)."
        case let .completeTask(task):
            let done = try await session.tasks.complete(task)
            return "Marked **\(done.title)** done."
        }
    }
}
