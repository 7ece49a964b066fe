using Dnet.Repl.Commands;
using Dnet.Repl.Input;

namespace Dnet.Repl.Tests;

/// <summary>Tab completion offers commands first and a command's subcommands second.</summary>
[TestClass]
public sealed class CommandCompleterTests
{
    private readonly CommandCompleter completer = new(CommandCatalog.All);

    [TestMethod]
    [DataRow("tr", 0, new[] { "trace" })]
    [DataRow("t", 0, new[] { "topology", "trace" })]
    [DataRow("trace a", 6, new[] { "annotate" })]
    [DataRow("perf ", 5, new[] { "add", "requests", "stats" })]
    [DataRow("nodes x", 6, new string[0])]
    public void CompletesTheWordBeforeTheCursor(string typed, int wordStart, string[] expected)
    {
        var (candidates, start) = completer.Complete(typed);

        CollectionAssert.AreEqual(expected, candidates.ToArray());
        Assert.AreEqual(wordStart, start);
    }

    [TestMethod]
    public void CommonPrefixStopsAtTheFirstDifference() =>
        Assert.AreEqual("st", CommandCompleter.CommonPrefix(["stats", "status", "stop"]));
}
