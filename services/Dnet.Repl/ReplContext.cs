using Dnet.Repl.Chat;
using Dnet.Repl.Clients;
using Dnet.Repl.Input;
using Spectre.Console;

namespace Dnet.Repl;

/// <summary>What a command works with: where it writes, where it reads more lines (chat), the service clients, and the session's state.</summary>
internal sealed class ReplContext(IAnsiConsole console, ILineReader input, GatewayClient gateway, AnalyticsClient analytics, ChatSettings chat)
{
    public IAnsiConsole Console { get; } = console;

    public ILineReader Input { get; } = input;

    public GatewayClient Gateway { get; } = gateway;

    public AnalyticsClient Analytics { get; } = analytics;

    public ChatSettings ChatSettings { get; } = chat;

    public CommandCancellation Cancellation { get; } = new();

    /// <summary>The conversation of the latest <c>chat</c>, kept after <c>.quit</c> so it can be inspected.</summary>
    public ChatConversation? Conversation { get; set; }

    public bool ExitRequested { get; private set; }

    public void Exit() => ExitRequested = true;
}
