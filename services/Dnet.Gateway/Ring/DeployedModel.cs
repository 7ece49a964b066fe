using Dnet.Contracts.Shards;
using Dnet.Generation.Chat;
using Dnet.Generation.Tokenization;
using Dnet.Transport;
using Grpc.Net.Client;

namespace Dnet.Gateway.Ring;

/// <summary>
/// A model loaded across the ring: how to talk to it (tokenizer, template, limits), where its shards are, and the plan
/// it was loaded from (a manual assignment is kept when members join; a solved one is re-planned).
/// </summary>
internal sealed class DeployedModel(
    string id,
    string servedName,
    string folder,
    TextTokenizer tokenizer,
    ChatTemplate template,
    int contextLength,
    IReadOnlyList<RingShard> shards,
    OutboundStream<ActivationFrame> firstHop,
    DateTimeOffset loadedAt,
    PlannedTopology plan,
    bool manual) : IAsyncDisposable
{
    /// <summary>What the shards were asked to load: a generated model's name or a checkpoint folder path.</summary>
    public string Id { get; } = id;

    /// <summary>The model id clients use (<c>model</c> in requests and responses, <c>GET /v1/models</c>); never a path.</summary>
    public string ServedName { get; } = servedName;

    /// <summary>Where the first shard keeps its copy, on its own machine (informational: the gateway reads no model folder).</summary>
    public string Folder { get; } = folder;

    public TextTokenizer Tokenizer { get; } = tokenizer;

    public ChatTemplate Template { get; } = template;

    public int ContextLength { get; } = contextLength;

    /// <summary>Shards in ring order; shards the planner gave no layers are not in it.</summary>
    public IReadOnlyList<RingShard> Shards { get; } = shards;

    public OutboundStream<ActivationFrame> FirstHop { get; } = firstHop;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    public PlannedTopology Plan { get; } = plan;

    /// <summary>Whether the layer ranges were assigned by hand rather than solved by the planner.</summary>
    public bool Manual { get; } = manual;

    /// <summary>The ring in one line: <c>shard-0[0,2) -> shard-1[2,4)</c>.</summary>
    public string Ring => string.Join(" -> ", Shards.Select(s => $"{s.Node}[{s.LayerStart},{s.LayerEnd})"));

    public async ValueTask DisposeAsync()
    {
        await FirstHop.DisposeAsync();
        foreach (var shard in Shards)
        {
            shard.Dispose();
        }
    }
}

/// <summary>One shard of the ring with its layer range and a channel for control calls (load, free, status).</summary>
internal sealed class RingShard(string node, string address, int layerStart, int layerEnd, string? clusterSecret) : IDisposable
{
    private readonly GrpcChannel _channel = PeerChannels.Open(address, clusterSecret);

    public string Node { get; } = node;

    public string Address { get; } = address;

    public int LayerStart { get; } = layerStart;

    public int LayerEnd { get; } = layerEnd;

    public Shard.ShardClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();
}
