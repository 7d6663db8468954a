import Foundation
import LumeKit

/// Actions posted from effect tasks, waiting for the UI thread.
final class ActionQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [AppAction] = []

    func post(_ action: AppAction) {
        lock.lock()
        actions.append(action)
        lock.unlock()
    }

    func drain() -> [AppAction] {
        lock.lock()
        defer { lock.unlock() }
        let drained = actions
        actions = []
        return drained
    }
}

/// The UI's one loop, and the only thread that touches the terminal: read input, apply
/// actions through `App.update`, hand effects to the `EffectRunner`, draw when something
/// changed.
final class Runner {
    private var state: AppState
    private let terminal: Terminal
    private let effects: EffectRunner
    private let queue: ActionQueue
    private let cache = TranscriptLayoutCache()
    private var dirty = true
    private var lastTick = Date()
    private var measuredLines = -1
    private var signals: [DispatchSourceSignal] = []

    init(terminal: Terminal, environment: Environment, queue: ActionQueue = ActionQueue()) {
        self.terminal = terminal
        self.queue = queue
        state = AppState(
            size: terminal.size, now: Date(), providerName: environment.chat.assistant.name,
            noColor: environment.context.environment["NO_COLOR"].map { !$0.isEmpty } ?? false,
            configFile: environment.context.paths.configFile)
        effects = EffectRunner(environment: environment, terminal: terminal, post: { [queue] in queue.post($0) })
    }

    /// Runs until the user quits or a signal asks to; the terminal is restored by the caller.
    func run(openConversation: Int64? = nil) {
        watchSignals()
        dispatch(.started)
        if let openConversation {
            for effect in [Effect.openConversation(id: openConversation, limit: Transcript.windowSize), .loadDraft(.conversation(openConversation))] {
                effects.run(effect)
            }
        }
        while !effects.quitRequested {
            for input in terminal.readInput(timeout: 25) {
                switch input {
                case let .key(key): dispatch(.keyPressed(key))
                case let .paste(text): dispatch(.pasted(text))
                case let .resize(size): dispatch(.resized(size))
                }
            }
            for action in queue.drain() { dispatch(action) }
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                dispatch(.ticked(now))
            }
            if dirty { draw() }
        }
        effects.finish()
        for source in signals { source.cancel() }
    }

    private func dispatch(_ action: AppAction) {
        for effect in App.update(&state, action) { effects.run(effect) }
        dirty = true
    }

    private func draw() {
        dirty = false
        let frame = Renderer.render(state, cache: cache)
        terminal.draw(frame.grid)
        if frame.transcriptLines != measuredLines {
            measuredLines = frame.transcriptLines
            let followUps = App.transcriptMeasured(&state, lines: frame.transcriptLines)
            for effect in followUps { effects.run(effect) }
            if !followUps.isEmpty { dirty = true }
        }
    }

    /// SIGTERM, SIGHUP and SIGINT end the UI cleanly (reply marked interrupted, draft
    /// saved, terminal restored) instead of killing it mid-frame.
    private func watchSignals() {
        for number in [SIGTERM, SIGHUP, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [queue] in queue.post(.terminateRequested) }
            source.resume()
            signals.append(source)
        }
        signal(SIGPIPE, SIG_IGN)
    }
}
