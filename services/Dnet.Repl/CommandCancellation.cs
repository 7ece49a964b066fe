namespace Dnet.Repl;

/// <summary>
/// What Ctrl+C cancels: the innermost running operation. A command opens a scope, and a chat opens one more per answer,
/// so Ctrl+C during streaming stops the answer and leaves the chat (and the REPL) running.
/// </summary>
internal sealed class CommandCancellation
{
    private readonly Lock gate = new();
    private readonly Stack<CancellationTokenSource> scopes = new();

    /// <summary>Starts a cancellable operation; dispose the scope when it ends.</summary>
    public Scope Begin(CancellationToken outer)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        lock (gate)
        {
            scopes.Push(source);
        }

        return new Scope(this, source);
    }

    /// <summary>Cancels the innermost operation; false when none is running (Ctrl+C then ends the process).</summary>
    public bool CancelCurrent()
    {
        lock (gate)
        {
            if (!scopes.TryPeek(out var source))
            {
                return false;
            }

            source.Cancel();
            return true;
        }
    }

    private void End(CancellationTokenSource source)
    {
        lock (gate)
        {
            if (scopes.TryPeek(out var top) && top == source)
            {
                scopes.Pop();
            }
        }

        source.Dispose();
    }

    /// <summary>One cancellable operation.</summary>
    internal sealed class Scope(CommandCancellation owner, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token { get; } = source.Token;

        public void Dispose() => owner.End(source);
    }
}
