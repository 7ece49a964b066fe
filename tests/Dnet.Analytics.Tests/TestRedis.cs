using Dnet.Testing;
using StackExchange.Redis;

namespace Dnet.Analytics.Tests;

/// <summary>One redis-server for the whole test run; every test isolates itself with a stream key of its own.</summary>
[TestClass]
public static class TestRedis
{
    internal static RedisServer Server { get; private set; } = null!;

    internal static ConnectionMultiplexer Client { get; private set; } = null!;

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        Server = await RedisServer.StartAsync();
        Client = await Server.ConnectAsync();
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    internal static TestStream NewStream() => new(Client.GetDatabase());
}
