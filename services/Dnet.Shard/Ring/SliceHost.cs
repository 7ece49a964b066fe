using System.Collections.Concurrent;
using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.Inference.Model;
using Dnet.ModelGeneration;
using Dnet.Models;
using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Shard.Models;
using Dnet.Transport;
using ActivationFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>
/// Owns the slice this shard serves: loads it (resolving the checkpoint inside the shard's model roots, or generating
/// it), connects to the next hop and to the gateway's token sink, and frees request state. Loads are serialized; frames
/// see either the old or the new slice. A model that cannot be found or is refused leaves the loaded slice in place.
/// </summary>
internal sealed class SliceHost(ShardIdentity identity, ModelLocator locator, ClusterSecret secret, IConfiguration configuration, ILogger<SliceHost> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _lastSeen = new();
    private volatile LoadedSlice? _current;

    public LoadedSlice? Current => _current;

    /// <summary>Held by the worker for each step and by unloading, so weights are never freed under a running step.</summary>
    public SemaphoreSlim ComputeGate { get; } = new(1, 1);

    public async Task<LoadSliceReply> LoadAsync(LoadSliceRequest request, CancellationToken cancellationToken)
    {
        // Refused or unknown models fail here, before the slice being served is touched.
        var located = locator.Locate(request.Model);
        await _loading.WaitAsync(cancellationToken);
        try
        {
            await UnloadCoreAsync();
            var started = Stopwatch.GetTimestamp();
            using var load = DnetFrames.Start(FrameNames.MemoryModelLoad);
            load?.SetTag(SpanAttributes.Layers, $"{request.LayerStart}-{request.LayerEnd}");

            var folder = await Task.Run(() => ModelLocator.Materialize(located, new Progress<GenerationProgress>(
                p => logger.LogInformation("Generating {Model}: {Progress}", request.Model, p))), cancellationToken);
            var options = new ModelSliceOptions
            {
                ComputeDtype = request.ComputeDtype == "f32" ? ComputeDtype.Float32 : ComputeDtype.BFloat16,
                MaxContextTokens = request.MaxContext > 0 ? request.MaxContext : null,
                MatrixTiles = configuration.GetValue<bool?>("Dnet:Shard:MatrixTiles"),
            };
            var slice = await Task.Run(
                () => ModelSlice.Load(folder, new LayerRange(request.LayerStart, request.LayerEnd), options), cancellationToken);

            var tokenSink = OpenTokenSink(request.TokenSink);
            var nextHop = string.IsNullOrEmpty(request.NextHop) ? null : OpenNextHop(request.NextHop, tokenSink);
            _current = new LoadedSlice(request.Model, folder, slice, nextHop, tokenSink);

            var elapsed = Stopwatch.GetElapsedTime(started);
            logger.LogInformation(
                "{Node} loaded {Model} layers [{Start}, {End}) in {Elapsed:F0} ms ({MappedMiB:F1} MiB mapped, {TiledMiB:F1} MiB copied for the AMX tiles); next hop {NextHop}",
                identity.Node, request.Model, request.LayerStart, request.LayerEnd, elapsed.TotalMilliseconds,
                slice.MappedBytes / 1048576.0, slice.TiledBytes / 1048576.0, string.IsNullOrEmpty(request.NextHop) ? "token sink" : request.NextHop);
            return new LoadSliceReply
            {
                Node = identity.Node,
                LayerStart = request.LayerStart,
                LayerEnd = request.LayerEnd,
                MappedBytes = slice.MappedBytes,
                LoadMs = elapsed.TotalMilliseconds,
                ContextLength = slice.ContextCapacity,
                ModelFolder = folder,
            };
        }
        finally
        {
            _loading.Release();
        }
    }

    public async Task UnloadAsync()
    {
        await _loading.WaitAsync();
        try
        {
            await UnloadCoreAsync();
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Frees a request's KV cache and sampler; false when this shard held nothing for it.</summary>
    public bool Free(string requestId)
    {
        _lastSeen.TryRemove(requestId, out _);
        if (_current is not { } current)
        {
            return false;
        }

        current.Samplers.Remove(requestId);
        using var free = DnetFrames.Start(FrameNames.MemoryKvFree);
        free?.SetTag(SpanAttributes.RequestId, requestId);
        return current.Slice.Free(requestId);
    }

    public void Touch(string requestId) => _lastSeen[requestId] = Stopwatch.GetTimestamp();

    /// <summary>Requests not seen for longer than <paramref name="idle"/>: their gateway is gone or forgot them.</summary>
    public IReadOnlyList<string> IdleRequests(TimeSpan idle) =>
        _lastSeen.Where(entry => Stopwatch.GetElapsedTime(entry.Value) > idle).Select(entry => entry.Key).ToList();

    private OutboundStream<TokenFrame> OpenTokenSink(string address)
    {
        return new OutboundStream<TokenFrame>(address, secret.Value,
            (channel, token) => new TokenSink.TokenSinkClient(channel).Tokens(cancellationToken: token),
            (frame, exception) => logger.LogWarning(exception,
                "Token sink {Address} unreachable: request {RequestId} step {Step} lost", address, frame.RequestId, frame.Step));
    }

    private OutboundStream<ActivationFrame> OpenNextHop(string address, OutboundStream<TokenFrame> tokenSink)
    {
        return new OutboundStream<ActivationFrame>(address, secret.Value,
            (channel, token) => new Dnet.Contracts.Shards.Shard.ShardClient(channel).Activations(cancellationToken: token),
            (frame, exception) =>
            {
                logger.LogWarning(exception, "Next hop {Address} unreachable: failing request {RequestId}", address, frame.RequestId);
                tokenSink.Send(new TokenFrame
                {
                    RequestId = frame.RequestId,
                    Step = frame.Step,
                    Error = $"next hop {address} is unreachable from {identity.Node}: {exception.Message}",
                    ErrorNode = identity.Node,
                });
            });
    }

    private async Task UnloadCoreAsync()
    {
        if (_current is { } current)
        {
            _current = null;
            _lastSeen.Clear();
            await ComputeGate.WaitAsync();
            try
            {
                await current.DisposeAsync();
            }
            finally
            {
                ComputeGate.Release();
            }

            logger.LogInformation("{Node} unloaded {Model}", identity.Node, current.Model);
        }
    }

    public async ValueTask DisposeAsync() => await UnloadAsync();
}
