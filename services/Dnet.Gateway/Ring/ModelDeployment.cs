using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Transport;
using Grpc.Core;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Plans a model over the member shards (via the planner), loads each slice, connects the ring and makes it the model
/// the gateway serves. One deployment at a time. A plan that fails leaves the current ring serving; once the new
/// ring is planned, requests in flight on the old one fail with the reason, and shards that leave the ring are unloaded.
/// </summary>
internal sealed class ModelDeployment(
    PlannerClient planner,
    RequestRouter router,
    TokenSinkAddress tokenSink,
    ClusterSecret secret,
    IConfiguration configuration,
    ILogger<ModelDeployment> logger)
{
    private static readonly TimeSpan UnloadDeadline = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _deploying = new(1, 1);
    private volatile DeployedModel? _current;

    public DeployedModel? Current => _current;

    public string? LastError { get; private set; }

    /// <summary>Whether a deployment or unload is under way (the supervisor leaves the ring alone meanwhile).</summary>
    public bool Busy => _deploying.CurrentCount == 0;

    public async Task<DeployedModel> DeployAsync(
        string model, IReadOnlyDictionary<string, int[]>? manual, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? excludeNodes = null, string reason = "requested", string? servedName = null)
    {
        await _deploying.WaitAsync(cancellationToken);
        try
        {
            using var span = DnetFrames.Start(FrameNames.StartupDeploy);
            span?.SetTag("gen_ai.request.model", model);
            span?.SetTag(SpanAttributes.RingChangeReason, reason);
            var started = Stopwatch.GetTimestamp();
            var plan = await planner.PlanAsync(model, manual, ModelLoadSettings.From(configuration), cancellationToken, excludeNodes);
            if (plan.Shards.Count == 0)
            {
                throw new PlanningFailedException(502, "the planner assigned no shard");
            }

            var old = _current;
            // A re-plan of the same model keeps the name clients use.
            var name = servedName ?? (old is not null && old.Id == model ? old.ServedName : ServedModelName.For(model, configuration));
            _current = null;
            if (old is not null)
            {
                router.FailAll($"the ring of {old.Id} was replaced ({reason})");
            }

            var shards = plan.Shards
                .Select(s => new RingShard(s.Node, s.Address, s.LayerStart, s.LayerEnd, secret.Value))
                .ToList();
            await UnloadLeavingAsync(old, shards, excludeNodes, cancellationToken);
            var replies = await LoadSlicesAsync(model, plan, shards, cancellationToken);
            var (tokenizer, template) = await ModelTextFiles.LoadAsync(shards[0], model, cancellationToken);
            if (template.IsFallback)
            {
                logger.LogWarning("{Model} has no chat template Dnet recognises (Llama 3, ChatML, Mistral, Llama 2); using the plain fallback format", model);
            }

            var firstHop = new OutboundStream<ActivationFrame>(shards[0].Address, secret.Value,
                (channel, token) => new Shard.ShardClient(channel).Activations(cancellationToken: token),
                (frame, exception) => router.Fail(frame.RequestId, $"the first shard {shards[0].Node} ({shards[0].Address}) is unreachable: {exception.Message}"));
            var deployed = new DeployedModel(model, name, replies[0].ModelFolder, tokenizer, template, replies.Min(r => r.ContextLength), shards, firstHop,
                DateTimeOffset.UtcNow, plan, manual is not null);
            _current = deployed;
            LastError = null;
            logger.LogInformation("Deployed {Model} as {ServedName} over {Shards} shards ({Ring}) in {Elapsed:F0} ms: {Reason}",
                model, deployed.ServedName, shards.Count, deployed.Ring, Stopwatch.GetElapsedTime(started).TotalMilliseconds, reason);
            if (old is not null)
            {
                await old.DisposeAsync();
            }

            return deployed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LastError = exception.Message;
            throw;
        }
        finally
        {
            _deploying.Release();
        }
    }

    public async Task UnloadAsync(CancellationToken cancellationToken)
    {
        await _deploying.WaitAsync(cancellationToken);
        try
        {
            if (_current is not { } current)
            {
                return;
            }

            _current = null;
            router.FailAll($"model {current.Id} was unloaded");
            await UnloadLeavingAsync(current, [], null, cancellationToken);
            await current.DisposeAsync();
        }
        finally
        {
            _deploying.Release();
        }
    }

    private async Task<LoadSliceReply[]> LoadSlicesAsync(string model, PlannedTopology plan, List<RingShard> shards, CancellationToken cancellationToken)
    {
        // All shards load at once; each one's next hop is the following shard, the last one's is the token sink.
        var loads = shards.Select((shard, index) =>
        {
            var request = new LoadSliceRequest
            {
                Model = model,
                LayerStart = shard.LayerStart,
                LayerEnd = shard.LayerEnd,
                NextHop = index + 1 < shards.Count ? shards[index + 1].Address : "",
                TokenSink = tokenSink.Address,
                ComputeDtype = plan.ComputeDtype,
                MaxContext = plan.ContextLength,
                Traceparent = Activity.Current?.Id ?? "",
            };
            return LoadOneAsync(shard, request, cancellationToken);
        });
        return await Task.WhenAll(loads);
    }

    private static async Task<LoadSliceReply> LoadOneAsync(RingShard shard, LoadSliceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Generating a large model on first use takes a while; loading a slice is otherwise quick. A dead shard
            // refuses at once, a frozen one is dropped by the channel's keep-alive pings within seconds.
            return await shard.Client.LoadSliceAsync(request, deadline: DateTime.UtcNow.AddMinutes(10), cancellationToken: cancellationToken);
        }
        catch (RpcException exception)
        {
            throw new PlanningFailedException(502, $"{shard.Node} ({shard.Address}) failed to load layers [{request.LayerStart}, {request.LayerEnd}): {exception.Status.Detail}");
        }
    }

    /// <summary>
    /// Frees the memory of old ring members that are not in the new ring. Members staying in the ring replace their
    /// slice when they load the new one; members known to be dead are not waited for.
    /// </summary>
    private async Task UnloadLeavingAsync(DeployedModel? old, IReadOnlyList<RingShard> next, IReadOnlyCollection<string>? dead, CancellationToken cancellationToken)
    {
        if (old is null)
        {
            return;
        }

        var leaving = old.Shards.Where(s => !next.Any(n => n.Node == s.Node) && dead?.Contains(s.Node) != true);
        await Task.WhenAll(leaving.Select(async shard =>
        {
            try
            {
                await shard.Client.UnloadAsync(new UnloadRequest(), deadline: DateTime.UtcNow + UnloadDeadline, cancellationToken: cancellationToken);
            }
            catch (RpcException exception)
            {
                logger.LogWarning("Unloading {Node} failed: {Error}", shard.Node, exception.Status.Detail);
            }
        }));
    }
}
