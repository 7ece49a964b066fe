namespace Dnet.Repl.Tests;

/// <summary>Ctrl+C during a chat answer stops the answer, not the chat command around it, and not the REPL.</summary>
[TestClass]
public sealed class CommandCancellationTests
{
    [TestMethod]
    public void CancelStopsOnlyTheInnermostOperationAndNothingWhenIdle()
    {
        var cancellation = new CommandCancellation();
        Assert.IsFalse(cancellation.CancelCurrent(), "with nothing running Ctrl+C must fall through to the process");

        using var chat = cancellation.Begin(CancellationToken.None);
        using (var answer = cancellation.Begin(CancellationToken.None))
        {
            Assert.IsTrue(cancellation.CancelCurrent());
            Assert.IsTrue(answer.Token.IsCancellationRequested);
            Assert.IsFalse(chat.Token.IsCancellationRequested);
        }

        // The answer has ended: the next Ctrl+C reaches the chat command.
        Assert.IsTrue(cancellation.CancelCurrent());
        Assert.IsTrue(chat.Token.IsCancellationRequested);
    }
}
