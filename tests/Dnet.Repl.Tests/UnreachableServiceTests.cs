using System.Net;
using System.Net.Sockets;

namespace Dnet.Repl.Tests;

/// <summary>A service that does not answer is named with its URL and the reason, and the REPL goes on.</summary>
[TestClass]
public sealed class UnreachableServiceTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ClosedPortIsNamedAndTheNextCommandStillRuns()
    {
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}");

        var repl = await ScriptedRepl.RunAsync("models\ntrace annotate\nhelp\n", TestContext.CancellationToken, gateway: closed, analytics: closed);

        var models = repl.After("models");
        StringAssert.Contains(models, $"{closed.ToString().TrimEnd('/')}/v1/models");
        StringAssert.Contains(models, "connection refused");
        StringAssert.Contains(repl.After("trace annotate"), $"{closed.ToString().TrimEnd('/')}/analytics/annotate");
        StringAssert.Contains(repl.After("help"), "Commands:");
    }

    [TestMethod]
    public async Task ErrorStatusShowsTheServiceMessage()
    {
        var repl = await ScriptedRepl.RunAsync("perf stats no-such-request\n", TestContext.CancellationToken);

        var stats = repl.After("perf stats no-such-request");
        StringAssert.Contains(stats, "/analytics/requests/no-such-request");
        StringAssert.Contains(stats, "HTTP 404");
        StringAssert.Contains(stats, "no-such-request'");
    }

    private static int ClosedPort()
    {
        // A port that was just free: nothing listens there, so a connection is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
