using System.Text.Json;
using Dnet.Contracts.Shards;
using Dnet.ModelGeneration;
using Dnet.Models;
using Dnet.ServiceDefaults.Cluster.Membership;
using Dnet.Testing;

namespace Dnet.Planner.Tests.Api;

/// <summary>
/// The real planner over fake shards (real gRPC, real registration in a real redis-server, the real model-copy code):
/// it plans over the cluster's members, refuses mismatched copies, and reaches shards only with the cluster secret.
/// </summary>
[TestClass]
public sealed class PlannerApiTests
{
    private static RedisServer redis = null!;
    private static FakeShard fast = null!;
    private static FakeShard slow = null!;

    [ClassInitialize]
    public static async Task StartShards(TestContext _)
    {
        redis = await RedisServer.StartAsync();
        fast = await FakeShard.StartAsync(Profile("shard-0", gflops: 100), redis.ConnectionString);
        slow = await FakeShard.StartAsync(Profile("shard-1", gflops: 50), redis.ConnectionString);
        await WaitForMembersAsync(2);
    }

    [ClassCleanup]
    public static async Task StopShards()
    {
        await fast.DisposeAsync();
        await slow.DisposeAsync();
        await redis.DisposeAsync();
    }

    [TestMethod]
    public async Task PlanPutsASmallModelOnTheFastestShardAndRemembersIt()
    {
        await using var planner = Planner();

        var (status, topology) = await planner.PostAsync("/planner/plan", new { model = "dnet-tiny" });
        var (currentStatus, current) = await planner.GetAsync("/planner/topology");

        Assert.AreEqual(200, status, topology.ToString());
        Assert.AreEqual("solved", topology.GetProperty("mode").GetString());
        Assert.AreEqual("f32", topology.GetProperty("compute_dtype").GetString());
        Assert.AreEqual(2048, topology.GetProperty("context_length").GetInt32());
        var shard = topology.GetProperty("shards").EnumerateArray().Single();
        Assert.AreEqual("shard-0", shard.GetProperty("node").GetString());
        Assert.AreEqual(fast.Address, shard.GetProperty("address").GetString());
        Assert.AreEqual(0, shard.GetProperty("layer_start").GetInt32());
        Assert.AreEqual(4, shard.GetProperty("layer_end").GetInt32());
        Assert.AreEqual("", shard.GetProperty("next_hop").GetString());
        Assert.AreEqual("shard-1", topology.GetProperty("excluded")[0].GetString());
        Assert.IsGreaterThan(0, topology.GetProperty("prediction").GetProperty("total_ms").GetDouble());
        Assert.AreEqual(247_360, topology.GetProperty("inputs").GetProperty("model").GetProperty("total_parameters").GetInt64());
        Assert.AreEqual(200, currentStatus);
        Assert.AreEqual(topology.GetProperty("planned_at").GetString(), current.GetProperty("planned_at").GetString());
    }

    [TestMethod]
    public async Task UseAllShardsAndMeasuredLinksBuildATwoShardRing()
    {
        await using var planner = Planner();

        var (status, topology) = await planner.PostAsync("/planner/plan", new { model = "dnet-tiny", use_all_shards = true, measure_links = true });

        Assert.AreEqual(200, status, topology.ToString());
        var shards = topology.GetProperty("shards").EnumerateArray().ToList();
        Assert.HasCount(2, shards);
        Assert.AreEqual(shards[1].GetProperty("address").GetString(), shards[0].GetProperty("next_hop").GetString());
        var inputs = topology.GetProperty("inputs");
        Assert.IsTrue(inputs.GetProperty("links_measured").GetBoolean());
        var links = inputs.GetProperty("links").EnumerateArray().ToList();
        Assert.HasCount(2, links);
        Assert.IsTrue(links.All(l => l.GetProperty("latency_ms").GetDouble() > 0 && l.GetProperty("payload_bytes").GetInt32() == 256), inputs.ToString());
        var hop = topology.GetProperty("prediction").GetProperty("hops")[1];
        Assert.IsGreaterThan(0, hop.GetProperty("latency_ms").GetDouble());
    }

    [TestMethod]
    public async Task AManualAssignmentIsKeptInLayerOrder()
    {
        await using var planner = Planner();

        var (status, topology) = await planner.PostAsync("/planner/plan",
            new { model = "dnet-tiny", manual = new Dictionary<string, int[]> { ["shard-1"] = [1, 4], ["shard-0"] = [0, 1] } });

        Assert.AreEqual(200, status, topology.ToString());
        Assert.AreEqual("manual", topology.GetProperty("mode").GetString());
        var nodes = topology.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("node").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "shard-0", "shard-1" }, nodes);
        Assert.AreEqual(slow.Address, topology.GetProperty("shards")[0].GetProperty("next_hop").GetString());
    }

    [TestMethod]
    public async Task BadInputIsAnErrorObjectWithTheRightStatus()
    {
        await using var planner = Planner();

        var gap = await planner.PostAsync("/planner/plan", new { model = "dnet-tiny", manual = new Dictionary<string, int[]> { ["shard-0"] = [0, 1], ["shard-1"] = [2, 4] } });
        var unknown = await planner.PostAsync("/planner/plan", new { model = "no-such-model" });
        var missing = await planner.PostAsync("/planner/plan", new { measure_links = true });
        var dtype = await planner.PostAsync("/planner/plan", new { model = "dnet-tiny", compute_dtype = "int4" });
        var huge = await planner.PostAsync("/planner/plan", new
        {
            model = "inline-70b",
            config = new { hidden_size = 8192, intermediate_size = 28672, num_hidden_layers = 80, num_attention_heads = 64, num_key_value_heads = 8, vocab_size = 128256 },
        });

        AssertError(gap, 400, "invalid_manual_assignment", "manual", "layers [1, 2) are not assigned");
        AssertError(unknown, 404, "model_not_found", "model", "no-such-model");
        AssertError(missing, 400, "invalid_request", "model", "'model' is required");
        AssertError(dtype, 400, "invalid_request", "compute_dtype", "int4");
        AssertError(huge, 422, "model_does_not_fit", null, "short of memory by");
    }

    [TestMethod]
    public async Task MalformedJsonGetsTheSameErrorShape()
    {
        await using var planner = Planner();
        using var content = new StringContent("""{"model":"dnet-tiny","manual":{"shard-0":"all"}}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await planner.Http.PostAsync("/planner/plan", content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        AssertError(((int)response.StatusCode, body), 400, "invalid_json", "$.manual.shard-0", "not a valid plan request");
    }

    [TestMethod]
    public async Task TopologyBeforeAnyPlanIsNotFound()
    {
        await using var planner = Planner();

        AssertError(await planner.GetAsync("/planner/topology"), 404, "no_topology", null, "POST /planner/plan");
    }

    [TestMethod]
    public async Task DevicesListsProfilesAndMembersThatDidNotAnswer()
    {
        await using var planner = Planner();
        // A member whose record still lives but whose process is gone (killed, not yet expired).
        var gone = new ClusterMember("shard-2", "http://127.0.0.1:9", "test-host", ClusterMember.JoinedSource, "gone", DateTimeOffset.UtcNow);
        var database = await redis.DatabaseAsync();
        await database.StringSetAsync(MembershipKeys.Member(gone.Node), gone.ToJson(), TimeSpan.FromSeconds(30));
        await database.SortedSetAddAsync(MembershipKeys.Index, gone.Node, 0);
        try
        {
            var (status, body) = await planner.GetAsync("/planner/devices?compute_dtype=f32");

            Assert.AreEqual(200, status, body.ToString());
            var devices = body.GetProperty("devices").EnumerateArray().ToList();
            CollectionAssert.AreEqual(new[] { "shard-0", "shard-1" }, devices.Select(d => d.GetProperty("node").GetString()).ToArray());
            Assert.AreEqual(fast.Address, devices[0].GetProperty("address").GetString());
            Assert.AreEqual(50, devices[1].GetProperty("gflops").GetDouble());
            Assert.AreEqual("f32", devices[0].GetProperty("compute_dtype").GetString());
            Assert.AreEqual("gflops", devices[0].GetProperty("overridden")[0].GetString());
            Assert.AreEqual("shard-2", body.GetProperty("unreachable").EnumerateArray().Single().GetProperty("node").GetString());
        }
        finally
        {
            await database.KeyDeleteAsync(MembershipKeys.Member(gone.Node));
        }
    }

    [TestMethod]
    public async Task ExcludedNodesAreLeftOutOfThePlan()
    {
        await using var planner = Planner();

        var (status, topology) = await planner.PostAsync("/planner/plan", new { model = "dnet-tiny", exclude_nodes = new[] { "shard-0" } });

        Assert.AreEqual(200, status, topology.ToString());
        Assert.AreEqual("shard-1", topology.GetProperty("shards").EnumerateArray().Single().GetProperty("node").GetString());
    }

    [TestMethod]
    public async Task APlannerWithoutTheClusterSecretIsRefusedByEveryShard()
    {
        await using var planner = new PlannerHost(redis.ConnectionString, secret: "not-the-cluster-secret");

        var (status, body) = await planner.GetAsync("/planner/devices");

        Assert.AreEqual(200, status, body.ToString());
        Assert.AreEqual(0, body.GetProperty("devices").GetArrayLength());
        var refused = body.GetProperty("unreachable").EnumerateArray().ToList();
        Assert.HasCount(2, refused);
        Assert.IsTrue(refused.All(r => r.GetProperty("error").GetString()!.StartsWith("Unauthenticated", StringComparison.Ordinal)), body.ToString());
    }

    [TestMethod]
    public async Task MismatchedModelCopiesAreRefusedNamingTheNodeAndTheFile()
    {
        var roots = Directory.CreateTempSubdirectory("dnet-planner-copies-").FullName;
        try
        {
            var spec = GeneratedModelSpec.Known.Single(s => s.Name == "dnet-tiny");
            ModelGenerator.Write(Path.Combine(roots, "a", "tiny-copy"), spec);
            ModelGenerator.Write(Path.Combine(roots, "b", "tiny-copy"), spec);
            File.AppendAllText(Path.Combine(roots, "b", "tiny-copy", "tokenizer.json"), "\n");
            await using (var a = await FakeShard.StartAsync(Profile("copy-a", gflops: 80), redis.ConnectionString, Path.Combine(roots, "a")))
            await using (var b = await FakeShard.StartAsync(Profile("copy-b", gflops: 80), redis.ConnectionString, Path.Combine(roots, "b")))
            {
                await WaitForMembersAsync(4);
                await using var planner = Planner();

                var refused = await planner.PostAsync("/planner/plan", new { model = "tiny-copy" });
                var (status, topology) = await planner.PostAsync("/planner/plan", new { model = "tiny-copy", exclude_nodes = new[] { "copy-b" } });

                AssertError(refused, 409, "model_copies_differ", "model", "copy-b's tokenizer.json");
                Assert.AreEqual(200, status, topology.ToString());
                Assert.AreEqual("copy-a", topology.GetProperty("shards").EnumerateArray().Single().GetProperty("node").GetString());
                var withoutModel = topology.GetProperty("inputs").GetProperty("without_model").EnumerateArray().Select(w => w.GetProperty("node").GetString()).ToArray();
                CollectionAssert.AreEquivalent(new[] { "shard-0", "shard-1" }, withoutModel);
                Assert.AreEqual(4, topology.GetProperty("layers").GetInt32(), "the config came from the shard's copy: the planner has none");
            }

            await WaitForMembersAsync(2);
        }
        finally
        {
            Directory.Delete(roots, recursive: true);
        }
    }

    [TestMethod]
    public async Task HealthReportsTheMembers()
    {
        await using var planner = Planner();

        var (status, body) = await planner.GetAsync("/health");

        Assert.AreEqual(200, status);
        var topology = body.GetProperty("checks").GetProperty("topology");
        Assert.AreEqual("Healthy", topology.GetProperty("status").GetString());
        Assert.AreEqual("shard-0, shard-1", topology.GetProperty("data").GetProperty("members").GetString());
    }

    private static PlannerHost Planner() => new(redis.ConnectionString);

    /// <summary>Registration happens once each shard listens, a moment after it started.</summary>
    private static async Task WaitForMembersAsync(int count)
    {
        var database = await redis.DatabaseAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await database.SortedSetLengthAsync(MembershipKeys.Index) != count)
        {
            Assert.IsLessThan(deadline, DateTime.UtcNow, $"the cluster never had {count} members");
            await Task.Delay(50);
        }
    }

    private static DeviceProfile Profile(string node, double gflops) => new()
    {
        Node = node,
        UsableMemoryBytes = 1L << 30,
        Gflops = gflops,
        MemoryBandwidthGbps = 20,
        DiskReadGbps = 1,
        CpuThreads = 2,
        Overridden = { "gflops" },
    };

    private static void AssertError((int Status, JsonElement Body) response, int status, string code, string? param, string messagePart)
    {
        Assert.AreEqual(status, response.Status, response.Body.ToString());
        var error = response.Body.GetProperty("error");
        Assert.AreEqual(code, error.GetProperty("code").GetString());
        Assert.AreEqual(param, error.GetProperty("param").GetString());
        Assert.IsFalse(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        StringAssert.Contains(error.GetProperty("message").GetString(), messagePart);
    }
}
