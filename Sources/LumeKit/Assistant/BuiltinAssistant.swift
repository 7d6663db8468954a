import Foundation

/// The default assistant: offline, no LLM.
///
/// Its Google actions (reading and sending mail, the calendar, tasks, notes) are not built
/// yet, and it says so plainly instead of making an answer up.
public struct BuiltinAssistant: Assistant {
    public let name = "builtin"
    /// Where the user can configure an LLM, named in the reply.
    public let configFile: String

    public init(configFile: String) {
        self.configFile = configFile
    }

    public func reply(to request: AssistantRequest) -> AsyncThrowingStream<AssistantEvent, Error> {
        let text = answer(request)
        return AsyncThrowingStream { continuation in
            continuation.yield(.text(text))
            continuation.finish()
        }
    }

    func answer(_ request: AssistantRequest) -> String {
        let detected = request.detected
        guard !detected.isEmpty else {
            return """
                The built-in assistant only handles Gmail, Calendar, Tasks and Keep requests, and it cannot answer \
                open questions. To use an LLM for those, set `provider = "openai"` with `base_url` and `model` \
                under `[assistant]` in \(configFile) (any OpenAI-compatible endpoint, a local Ollama included).
                """
        }
        let names = detected.map(\.rawValue).joined(separator: ", ")
        var lines = ["This needs **\(names)**. The built-in assistant cannot act on Gmail, Calendar, Tasks or Keep yet: "
                     + "those actions are not built into this version of lume-tui. Your message is saved in this conversation."]
        let missing = detected.filter { !request.granted.contains($0) }
        if !request.signedIn {
            lines.append("You are not signed in to Google either (`lume-tui login`).")
        } else if !missing.isEmpty {
            lines.append("Not granted: \(missing.map(\.rawValue).joined(separator: ", ")) (`lume-tui grant \(missing.map(\.rawValue).joined(separator: " "))`).")
        }
        return lines.joined(separator: "\n\n")
    }
}
