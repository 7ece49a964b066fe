using Dnet.Repl.Chat;

namespace Dnet.Repl.Tests;

/// <summary>Runs the REPL on typed lines, as a pipe would, and keeps what it printed and the session it ran in.</summary>
internal sealed record ScriptedRepl(string Output, ReplSession Session)
{
    /// <summary>Short answers keep the chat test quick; the tiny model rarely stops by itself.</summary>
    private static readonly ChatSettings Chat = new(MaxTokens: 8, Temperature: 0);

    public static async Task<ScriptedRepl> RunAsync(string script, CancellationToken cancellationToken, Uri? gateway = null, Uri? analytics = null)
    {
        var options = new ReplOptions(gateway ?? Cluster.Gateway, analytics ?? Cluster.Analytics, Chat);
        using var output = new StringWriter();
        var session = ReplSessionFactory.ForScript(options, new StringReader(script), output);
        await session.RunAsync(cancellationToken);
        return new ScriptedRepl(output.ToString(), session);
    }

    /// <summary>The lines printed after the one that echoed <paramref name="command"/>, up to the next prompt.</summary>
    public string After(string command)
    {
        var start = Output.IndexOf(ReplSession.Prompt + command + Environment.NewLine, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, start, $"'{command}' was not run:{Environment.NewLine}{Output}");
        var body = Output[(start + ReplSession.Prompt.Length + command.Length)..];
        var end = body.IndexOf(ReplSession.Prompt, StringComparison.Ordinal);
        return end < 0 ? body : body[..end];
    }
}
