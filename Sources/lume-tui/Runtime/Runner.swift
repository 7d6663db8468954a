import Foundation
import Logging
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
    private var lastDraw = Date.distantPast
    private var signals: [DispatchSourceSignal] = []
    private let logger: Logger
    /// When the input being handled was read, for the keystroke-to-frame timing.
    private var inputRead: Date?
    private var framesDrawn = 0
    private var listShown = false

    init(terminal: Terminal, environment: Environment, queue: ActionQueue = ActionQueue()) {
        self.terminal = terminal
        self.queue = queue
        logger = environment.logger
        state = AppState(
            size: terminal.size, now: Date(), providerName: environment.chat.assistant.name,
            noColor: environment.context.environment["NO_COLOR"].map { !$0.isEmpty } ?? false,
            configFile: environment.context.paths.configFile)
        state.time = LocalTime.current
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
            let inputs = terminal.readInput(timeout: 25)
            if !inputs.isEmpty { inputRead = Date() }
            for action in Self.actions(for: inputs) { dispatch(action) }
            for action in queue.drain() { dispatch(action) }
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                dispatch(.ticked(now))
            }
            // While input pours in faster than anyone types (a paste without bracketed
            // paste), a frame every 50 ms is plenty; drawing after every read would spend
            // the time drawing instead of reading.
            let burst = inputs.count >= Self.burstSize && now.timeIntervalSince(lastDraw) < 0.05
            if dirty && !burst { draw() }
        }
        effects.finish()
        for source in signals { source.cancel() }
    }

    /// Inputs read together, as actions: runs of printable characters become one `.typed`.
    static func actions(for inputs: [TerminalInput]) -> [AppAction] {
        var actions: [AppAction] = []
        var run = ""
        func endRun() {
            if run.count == 1 { actions.append(.keyPressed(.character(run.first!))) }
            if run.count > 1 { actions.append(.typed(run)) }
            run = ""
        }
        for input in inputs {
            switch input {
            case let .key(.character(character)): run.append(character)
            case let .key(key): endRun(); actions.append(.keyPressed(key))
            case let .paste(text): endRun(); actions.append(.pasted(text))
            case let .resize(size): endRun(); actions.append(.resized(size))
            }
        }
        endRun()
        return actions
    }

    /// More inputs than this in one read is not typing.
    private static let burstSize = 64

    private func dispatch(_ action: AppAction) {
        for effect in App.update(&state, action) { effects.run(effect) }
        dirty = true
    }

    private func draw() {
        dirty = false
        lastDraw = Date()
        let frame = Renderer.render(state, cache: cache)
        terminal.draw(frame.grid)
        framesDrawn += 1
        if framesDrawn == 1 {
            logger.debug("first frame drawn", metadata: ["epoch_ms": "\(Int(Date().timeIntervalSince1970 * 1000))", "since_start_ms": "\(ProcessClock.millisecondsSinceStart())"])
        }
        if !listShown && !state.list.rows.isEmpty {
            listShown = true
            logger.debug("conversation list drawn", metadata: ["since_start_ms": "\(ProcessClock.millisecondsSinceStart())", "rows": "\(state.list.rows.count)"])
        }
        if let read = inputRead {
            logger.debug("input to frame", metadata: ["ms": "\(String(format: "%.3f", Date().timeIntervalSince(read) * 1000))"])
            inputRead = nil
        }
        // The renderer measured the transcript: clamp the scroll to it, and load the page
        // before when the view reaches the top of what is loaded.
        let before = state.transcript
        let followUps = App.transcriptMeasured(&state, lines: frame.transcriptLines, messageLines: frame.messageLines.map { ($0.id, $0.lines) })
        for effect in followUps { effects.run(effect) }
        if state.transcript != before { dirty = true }
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

/// How long ago this process started, from the kernel's record (10 ms resolution): the
/// first-frame time includes loading the binary, not just `main`.
enum ProcessClock {
    static func millisecondsSinceStart() -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 22 (starttime) is the 20th after the command name's closing parenthesis.
        guard fields.count > 19, let start = Double(fields[19]), let now = Double(uptime.split(separator: " ")[0]) else { return -1 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Int((now - start / ticks) * 1000)
    }
}
