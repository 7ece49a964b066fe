using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.Generation.Chat;
using Dnet.Generation.Tokenization;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Transport;
using Grpc.Core;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Plans a model over the shards (via the planner), loads each slice, connects the ring and makes it the model the
/// gateway serves. One deployment at a time; requests in flight on the old ring fail with a clear error.
/// </summary>
internal sealed class ModelDeployment(
    PlannerClient planner,
    RequestRouter router,
    IConfiguration configuration,
    ILogger<ModelDeployment> logger)
{
    private readonly SemaphoreSlim _deploying = new(1, 1);
    private volatile DeployedModel? _current;

    public DeployedModel? Current => _current;

    public string? LastError { get; private set; }

    public string TokenSinkAddress => configuration["Dnet:Gateway:TokenSink"]
        ?? throw new InvalidOperationException("Dnet:Gateway:TokenSink (the gateway's grpc endpoint) is not configured");

    public async Task<DeployedModel> DeployAsync(
        string model, IReadOnlyDictionary<string, int[]>? manual, CancellationToken cancellationToken, string? servedName = null)
    {
        await _deploying.WaitAsync(cancellationToken);
        try
        {
            using var span = DnetFrames.Start(FrameNames.StartupDeploy);
            span?.SetTag("gen_ai.request.model", model);
            var started = Stopwatch.GetTimestamp();
            var plan = await planner.PlanAsync(model, manual, ModelLoadSettings.From(configuration), cancellationToken);
            if (plan.Shards.Count == 0)
            {
                throw new PlanningFailedException(502, "the planner assigned no shard");
            }

            await UnloadCoreAsync(cancellationToken);
            var shards = plan.Shards
                .Select(s => new RingShard(s.Node, s.Address, s.LayerStart, s.LayerEnd))
                .ToList();
            var replies = await LoadSlicesAsync(model, plan, shards, cancellationToken);

            var folder = replies[0].ModelFolder;
            var tokenizer = TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"), ConfigPath(folder));
            var template = ConfigPath(folder) is { } configPath ? ChatTemplate.Load(configPath) : ChatTemplate.Detect(null);
            if (template.IsFallback)
            {
                logger.LogWarning("{Model} has no chat template Dnet recognises (Llama 3, ChatML, Mistral, Llama 2); using the plain fallback format", model);
            }

            var firstHop = new OutboundStream<ActivationFrame>(shards[0].Address,
                (channel, token) => new Shard.ShardClient(channel).Activations(cancellationToken: token),
                (frame, exception) => router.Fail(frame.RequestId, $"the first shard {shards[0].Node} ({shards[0].Address}) is unreachable: {exception.Message}"));
            var deployed = new DeployedModel(model, servedName ?? ServedModelName.For(model, configuration), folder, tokenizer, template, replies.Min(r => r.ContextLength), shards, firstHop, DateTimeOffset.UtcNow);
            _current = deployed;
            LastError = null;
            logger.LogInformation("Deployed {Model} as {ServedName} over {Shards} shards ({Ring}) in {Elapsed:F0} ms",
                model, deployed.ServedName, shards.Count, string.Join(" -> ", shards.Select(s => $"{s.Node}[{s.LayerStart},{s.LayerEnd})")),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
            await UnloadCoreAsync(cancellationToken);
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
                TokenSink = TokenSinkAddress,
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
            // Generating a large model on first use takes a while; loading a slice is otherwise quick.
            return await shard.Client.LoadSliceAsync(request, deadline: DateTime.UtcNow.AddMinutes(10), cancellationToken: cancellationToken);
        }
        catch (RpcException exception)
        {
            throw new PlanningFailedException(502, $"{shard.Node} ({shard.Address}) failed to load layers [{request.LayerStart}, {request.LayerEnd}): {exception.Status.Detail}");
        }
    }

    private async Task UnloadCoreAsync(CancellationToken cancellationToken)
    {
        if (_current is not { } current)
        {
            return;
        }

        _current = null;
        router.FailAll($"model {current.Id} was unloaded");
        await Task.WhenAll(current.Shards.Select(async shard =>
        {
            try
            {
                await shard.Client.UnloadAsync(new UnloadRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            }
            catch (RpcException exception)
            {
                logger.LogWarning("Unloading {Node} failed: {Error}", shard.Node, exception.Status.Detail);
            }
        }));
        await current.DisposeAsync();
    }

    private static string? ConfigPath(string folder) =>
        Path.Combine(folder, "tokenizer_config.json") is var path && File.Exists(path) ? path : null;
}
