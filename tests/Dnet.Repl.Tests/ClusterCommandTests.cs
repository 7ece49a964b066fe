using OpenAI.Chat;

namespace Dnet.Repl.Tests;

/// <summary>The REPL against the real two-shard cluster, driven as a user would type it.</summary>
[TestClass]
public sealed class ClusterCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task HelpListsEveryCommandAndUnknownCommandsPointToIt()
    {
        var repl = await ScriptedRepl.RunAsync("help\nfrobnicate\nexit\nnodes\n", TestContext.CancellationToken);

        var help = repl.After("help");
        foreach (var command in new[] { "nodes", "topology", "models", "load", "unload", "chat", "trace", "perf", "status", "exit" })
        {
            StringAssert.Contains(help, $"  {command}", $"help does not list {command}");
        }

        StringAssert.Contains(repl.After("frobnicate"), "Unknown command 'frobnicate'");
        StringAssert.Contains(repl.After("frobnicate"), "help");
        Assert.DoesNotContain(ReplSession.Prompt + "nodes", repl.Output, "'exit' did not end the session");
    }

    [TestMethod]
    public async Task NodesTableShowsBothShardsWithLayersAndHealth()
    {
        var nodes = (await ScriptedRepl.RunAsync("nodes\n", TestContext.CancellationToken)).After("nodes");

        foreach (var column in new[] { "Node", "Address", "Layers", "Health", "Profile" })
        {
            StringAssert.Contains(nodes, column);
        }

        var rows = nodes.Split('\n').Where(line => line.Contains("shard-", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2, rows, nodes);
        StringAssert.Contains(rows[0], "shard-0");
        StringAssert.Contains(rows[1], "shard-1");
        Assert.IsTrue(rows.All(row => row.Contains("serving", StringComparison.Ordinal) || row.Contains("idle", StringComparison.Ordinal)), nodes);
        Assert.DoesNotContain("error:", nodes);
    }

    [TestMethod]
    public async Task TopologyShowsTheRingItsStateAndWhyItLastChanged()
    {
        var topology = (await ScriptedRepl.RunAsync("topology\n", TestContext.CancellationToken)).After("topology");

        StringAssert.Contains(topology, "shard-0");
        StringAssert.Contains(topology, "shard-1");
        StringAssert.Contains(topology, "State: serving (serving dnet-tiny over shard-");
        StringAssert.Contains(topology, "Recent changes of the ring");
        // The first plan is a ring change too, with its reason; it succeeded.
        StringAssert.Contains(topology, "start");
        Assert.DoesNotContain("failed", topology);
    }

    [TestMethod]
    public async Task ChatStreamsAnswersKeepsBothSidesAndTimesEachAnswer()
    {
        var repl = await ScriptedRepl.RunAsync("chat\nName a river.\nAnd a mountain?\n.quit\nmodels\n", TestContext.CancellationToken);

        Assert.DoesNotContain("error:", repl.Output, repl.Output);
        var timings = repl.Output.Split('\n').Where(line => line.StartsWith("TTFT ", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2, timings, repl.Output);
        Assert.IsTrue(timings.All(line => line.Contains(" ms |", StringComparison.Ordinal) && line.Contains("tokens/s", StringComparison.Ordinal)), repl.Output);

        var history = repl.Session.Context.Conversation!.Messages;
        Assert.HasCount(4, history);
        Assert.IsInstanceOfType<UserChatMessage>(history[0]);
        Assert.IsInstanceOfType<AssistantChatMessage>(history[1]);
        Assert.IsInstanceOfType<UserChatMessage>(history[2]);
        Assert.IsInstanceOfType<AssistantChatMessage>(history[3]);
        Assert.AreEqual("And a mountain?", history[2].Content[0].Text);
        Assert.IsFalse(string.IsNullOrEmpty(history[1].Content[0].Text), "the first answer was not kept");
        StringAssert.Contains(repl.Output, history[3].Content[0].Text, "the kept answer is not the one that was printed");

        // '.quit' left the chat: the next line ran as a command.
        StringAssert.Contains(repl.After("models"), "Model");
    }

    [TestMethod]
    public async Task TraceReportsTheStateItSetAndAnnotatePrintsTheTable()
    {
        var repl = await ScriptedRepl.RunAsync(
            "trace off\ntrace status\ntrace on\ntrace annotate --last 5 --exclude-wait\n", TestContext.CancellationToken);

        StringAssert.Contains(repl.After("trace off"), "Tracing off");
        StringAssert.Contains(repl.After("trace status"), "Tracing off");
        StringAssert.Contains(repl.After("trace status"), "Exporter: sink");
        StringAssert.Contains(repl.After("trace on"), "Tracing on");
        var annotate = repl.After("trace annotate --last 5 --exclude-wait");
        StringAssert.Contains(annotate, "# dnet annotate");
        StringAssert.Contains(annotate, "Self ms");
        Assert.DoesNotContain("error:", repl.Output);
    }
}
