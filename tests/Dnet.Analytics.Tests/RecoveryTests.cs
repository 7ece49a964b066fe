using Dnet.Testing;
using StackExchange.Redis;

namespace Dnet.Analytics.Tests;

[TestClass]
public sealed class RecoveryTests
{
    [TestMethod]
    public async Task Entries_read_but_not_acknowledged_before_a_restart_are_processed_after_it()
    {
        var stream = TestRedis.NewStream();
        var first = new RequestTrace("chatcmpl-before-crash");
        await stream.Database.StreamCreateConsumerGroupAsync(stream.Key, TestStream.Group, StreamPosition.Beginning, createStream: true);
        await stream.AddAsync("gateway", first.Gateway());
        await stream.AddAsync("shard-0", first.Shard(0));

        // The instance that dies: it read both entries under the service's consumer name and never acknowledged them.
        var read = await stream.Database.StreamReadGroupAsync(stream.Key, TestStream.Group, TestStream.Consumer, StreamPosition.NewMessages, 10);
        Assert.HasCount(2, read);
        Assert.AreEqual(2, await stream.PendingAsync());

        await using (var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key))
        {
            var stats = await host.WaitForJsonAsync($"/analytics/requests/{first.RequestId}?format=json", s => (long)s["span_count"]! == 21);
            Assert.IsTrue((bool)stats["complete"]!);
            var status = await host.WaitUntilCaughtUpAsync(2);
            Assert.AreEqual(2, (long)status["consumer"]!["state"]!["recovered_entries"]!);
        }

        // Written while no analytics instance runs: the group's position keeps them for the next one.
        var second = new RequestTrace("chatcmpl-while-down");
        await stream.AddAsync("gateway", second.Gateway());
        await using (var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key))
        {
            var stats = await host.WaitForJsonAsync($"/analytics/requests/{second.RequestId}?format=json", s => (bool)s["complete"]!);
            Assert.AreEqual(RequestTrace.TtftMs, (double)stats["ttft_ms"]!, 1e-6);
        }

        Assert.AreEqual(0, await stream.PendingAsync());
    }

    [TestMethod]
    public async Task A_restarted_service_rebuilds_its_store_from_the_stream()
    {
        var stream = TestRedis.NewStream();
        var trace = new RequestTrace("chatcmpl-before-restart");
        await stream.AddAsync("gateway", trace.Gateway());
        await stream.AddAsync("shard-0", trace.Shard(0));
        await using (var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key))
        {
            await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);
            await host.WaitUntilCaughtUpAsync(2);
        }

        Assert.AreEqual(0, await stream.PendingAsync(), "the first run acknowledged everything");

        // Acknowledged entries are never delivered to the group again; the new instance reads them back from the stream.
        await using (var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key))
        {
            var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (long)s["span_count"]! == 21);
            Assert.IsTrue((bool)stats["complete"]!);
            Assert.AreEqual(RequestTrace.TtftMs, (double)stats["ttft_ms"]!, 1e-6);
            var status = await host.WaitForJsonAsync("/analytics/status", s => (long)s["consumer"]!["state"]!["replayed_entries"]! == 2);
            Assert.AreEqual(21, (long)status["store"]!["stored"]!, "replayed spans are stored once");
        }
    }

    [TestMethod]
    public async Task Entries_pending_too_long_on_a_dead_consumer_are_taken_over()
    {
        var stream = TestRedis.NewStream();
        var trace = new RequestTrace("chatcmpl-orphaned");
        await stream.Database.StreamCreateConsumerGroupAsync(stream.Key, TestStream.Group, StreamPosition.Beginning, createStream: true);
        await stream.AddAsync("gateway", trace.Gateway());
        await stream.Database.StreamReadGroupAsync(stream.Key, TestStream.Group, "analytics-dead", StreamPosition.NewMessages, 10);

        await using var host = AnalyticsHost.Start(
            TestRedis.Server.ConnectionString,
            stream.Key,
            ("Dnet:Analytics:ClaimIdleMilliseconds", "200"),
            ("Dnet:Analytics:ClaimIntervalMilliseconds", "100"));
        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(RequestTrace.Tokens, (int)stats["emitted_tokens"]!);
        var status = await host.WaitUntilCaughtUpAsync(1);
        Assert.AreEqual(1, (long)status["consumer"]!["state"]!["claimed_entries"]!);
    }

    [TestMethod]
    public async Task Redis_down_at_start_is_retried_and_nothing_written_after_it_comes_up_is_lost()
    {
        var port = RedisServer.FreePort();
        var stream = TestRedis.NewStream();
        await using var host = AnalyticsHost.Start($"127.0.0.1:{port},connectTimeout=500", stream.Key);

        var down = await host.WaitForJsonAsync("/analytics/status", s => (long)s["consumer"]!["state"]!["redis_failures"]! > 0);
        Assert.IsNotNull(down["stream_error"], "status must answer, and say why, while Redis is down");
        var (_, health, _) = await host.GetAsync("/health");
        StringAssert.Contains(health, "span-consumer");
        StringAssert.Contains(health, "Unhealthy");

        await using var redis = await RedisServer.StartAsync(port: port);
        await using var client = await redis.ConnectAsync();
        var late = new TestStream(client.GetDatabase());
        var trace = new RequestTrace("chatcmpl-after-outage");
        await client.GetDatabase().StreamAddAsync(
            stream.Key, [.. late.Batch("gateway", trace.Gateway()).ToStreamFields().Select(f => new NameValueEntry(f.Key, f.Value))]);

        var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(RequestTrace.Tokens, (int)stats["emitted_tokens"]!);
        var up = await host.WaitForJsonAsync("/analytics/status", s => s["stream_error"] is null);
        Assert.IsTrue((bool)up["consumer"]!["state"]!["connected"]!);
        Assert.AreEqual(0, (long)up["stream"]!["pending"]!);
    }

    [TestMethod]
    public async Task A_redis_restart_mid_run_loses_no_later_entry_and_recreates_the_group()
    {
        var key = $"dnet:spans:test:{Guid.NewGuid():n}";
        var before = new RequestTrace("chatcmpl-before-restart");
        var after = new RequestTrace("chatcmpl-after-restart");
        await using var redis = await RedisServer.StartAsync();
        await using var host = AnalyticsHost.Start($"{redis.ConnectionString},connectTimeout=500", key);
        await using (var client = await redis.ConnectAsync())
        {
            await new TestStream(client.GetDatabase(), key).AddAsync("gateway", before.Gateway());
            await host.WaitForJsonAsync($"/analytics/requests/{before.RequestId}?format=json", s => (bool)s["complete"]!);
        }

        await redis.KillAsync();
        await host.WaitForJsonAsync("/analytics/status", s => !(bool)s["consumer"]!["state"]!["connected"]!);

        // Without persistence the restarted server starts empty: no stream, no group. The consumer must create both
        // again and read from 0.
        await redis.RestartAsync();
        await using var reconnected = await redis.ConnectAsync();
        await new TestStream(reconnected.GetDatabase(), key).AddAsync("gateway", after.Gateway());

        var stats = await host.WaitForJsonAsync($"/analytics/requests/{after.RequestId}?format=json", s => (bool)s["complete"]!);
        Assert.AreEqual(RequestTrace.TtftMs, (double)stats["ttft_ms"]!, 1e-6);
        var kept = await host.GetJsonAsync($"/analytics/requests/{before.RequestId}?format=json");
        Assert.IsTrue((bool)kept["complete"]!, "spans stored before the restart stay in the store");
    }

    [TestMethod]
    public async Task Two_crashes_of_a_persistent_redis_keep_the_group_and_store_every_span_once()
    {
        var key = $"dnet:spans:test:{Guid.NewGuid():n}";
        var traces = new List<RequestTrace>();
        await using var redis = await RedisServer.StartAsync(RedisPersistence.AppendOnly);
        await using var host = AnalyticsHost.Start($"{redis.ConnectionString},connectTimeout=500", key);
        var writer = new TestStream(TestRedis.Client.GetDatabase(), key);
        for (var round = 0; round < 3; round++)
        {
            await using (var client = await redis.ConnectAsync())
            {
                writer = new TestStream(client.GetDatabase(), key, writer);
                var trace = new RequestTrace($"chatcmpl-round-{round}");
                traces.Add(trace);
                await writer.AddAsync("gateway", trace.Gateway());
                await writer.AddAsync("shard-0", trace.Shard(0));
                if (round == 0)
                {
                    // First crash with everything read and acknowledged; the second right after a write, before
                    // analytics may have read or acknowledged it: the pending list must survive as well.
                    await host.WaitUntilCaughtUpAsync(2);
                }
            }

            if (round < 2)
            {
                // A crash, not a lost write: Redis answers a write before its append-only file has it and may hold the
                // file write back for up to 2 s while a slow disk syncs (a kill then loses the entry, as CI saw once).
                await redis.WaitUntilAppendOnlyFileWrittenAsync(TimeSpan.FromSeconds(10));
                await redis.KillAsync();
                await host.WaitForJsonAsync("/analytics/status", s => !(bool)s["consumer"]!["state"]!["connected"]!);
                await redis.RestartAsync();
            }
        }

        foreach (var trace in traces)
        {
            // The gateway's and the shard's entries are read one after the other: wait for both, then check none doubled.
            var stats = await host.WaitForJsonAsync($"/analytics/requests/{trace.RequestId}?format=json",
                s => (bool)s["complete"]! && (long)s["span_count"]! >= 21);
            Assert.AreEqual(21, (long)stats["span_count"]!);
        }

        var status = await host.WaitUntilCaughtUpAsync(6);
        Assert.AreEqual(6, (long)status["stream"]!["length"]!, "the stream survived both crashes");
        Assert.AreEqual(63, (long)status["store"]!["stored"]!, "every span stored once");
        Assert.AreEqual(0, (long)status["consumer"]!["state"]!["replayed_entries"]!, "the group's position survived: nothing was read back from the start");
        foreach (var exporter in status["exporters"]!.AsArray())
        {
            Assert.AreEqual(3, (long)exporter!["last_seq"]!);
            Assert.AreEqual(0, (long)exporter["missing_batches"]!);
        }
    }

    [TestMethod]
    public async Task A_pending_entry_trimmed_from_the_stream_is_counted_and_acknowledged()
    {
        var stream = TestRedis.NewStream();
        await stream.Database.StreamCreateConsumerGroupAsync(stream.Key, TestStream.Group, StreamPosition.Beginning, createStream: true);
        var lost = await stream.AddAsync("gateway", new RequestTrace("chatcmpl-trimmed").Gateway());
        var kept = new RequestTrace("chatcmpl-kept");
        await stream.AddAsync("gateway", kept.Gateway());
        await stream.Database.StreamReadGroupAsync(stream.Key, TestStream.Group, TestStream.Consumer, StreamPosition.NewMessages, 10);
        await stream.Database.StreamDeleteAsync(stream.Key, [lost]);

        await using var host = AnalyticsHost.Start(TestRedis.Server.ConnectionString, stream.Key);

        var status = await host.WaitUntilCaughtUpAsync(2);
        Assert.AreEqual(1, (long)status["consumer"]!["state"]!["trimmed_entries"]!);
        Assert.AreEqual(1, (long)status["consumer"]!["state"]!["batches_ingested"]!);
        Assert.AreEqual(0, await stream.PendingAsync());
        var stats = await host.GetJsonAsync($"/analytics/requests/{kept.RequestId}?format=json");
        Assert.IsTrue((bool)stats["complete"]!);
    }
}
