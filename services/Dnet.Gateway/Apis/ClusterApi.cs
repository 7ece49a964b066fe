using System.Text.Json;
using Dnet.Contracts.Shards;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.Apis;

/// <summary>
/// Cluster control: devices (shard profiles), topology (current / prepare via the planner), load and unload.
/// </summary>
internal static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var cluster = app.MapGroup("/v1/cluster");
        cluster.MapGet("/devices", async (PlannerClient planner, CancellationToken cancellationToken) =>
            await ForwardAsync(() => planner.GetAsync("/planner/devices", cancellationToken)));
        cluster.MapGet("/topology", TopologyAsync);
        cluster.MapPost("/topology/prepare", async (LoadBody? body, PlannerClient planner, ModelDeployment deployment, IConfiguration configuration, CancellationToken cancellationToken) =>
            await ForwardAsync(async () => JsonSerializer.SerializeToNode(
                await planner.PlanAsync(ModelName(body, deployment), body?.Manual, ModelLoadSettings.From(configuration), cancellationToken), PublicJson.Options)));
        cluster.MapPost("/load", LoadAsync);
        cluster.MapPost("/unload", async (ModelDeployment deployment, CancellationToken cancellationToken) =>
        {
            await deployment.UnloadAsync(cancellationToken);
            return Results.Json(new { unloaded = true });
        });
        return app;
    }

    /// <summary>
    /// Body of <c>load</c> and <c>topology/prepare</c>: a model, an optional manual assignment and (load) the name to
    /// serve it under (default: <c>Dnet:ServedModelName</c> for the configured model, else the folder's name).
    /// </summary>
    internal sealed record LoadBody(string? Model, Dictionary<string, int[]>? Manual, string? ServedModelName);

    private static async Task<IResult> TopologyAsync(ModelDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment.Current is not { } model)
        {
            return OpenAiError.Server(
                $"No model is loaded{(deployment.LastError is { } error ? $": {error}" : "")}.", "model_not_loaded").ToResult(StatusCodes.Status503ServiceUnavailable);
        }

        var shards = await Task.WhenAll(model.Shards.Select(async shard =>
        {
            ShardStatus? status = null;
            string? error = null;
            try
            {
                status = await shard.Client.GetStatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
            }
            catch (Grpc.Core.RpcException exception)
            {
                error = exception.Status.Detail;
            }

            return new
            {
                node = shard.Node,
                address = shard.Address,
                layer_start = shard.LayerStart,
                layer_end = shard.LayerEnd,
                healthy = status is not null,
                active_sequences = status?.ActiveSequences,
                error,
            };
        }));
        return Results.Json(new { model = model.Id, served_model_name = model.ServedName, folder = model.Folder, context_length = model.ContextLength, loaded_at = model.LoadedAt, shards });
    }

    private static async Task<IResult> LoadAsync(LoadBody? body, ModelDeployment deployment, CancellationToken cancellationToken)
    {
        try
        {
            var model = await deployment.DeployAsync(ModelName(body, deployment), body?.Manual, cancellationToken, body?.ServedModelName);
            return Results.Json(new
            {
                model = model.Id,
                served_model_name = model.ServedName,
                context_length = model.ContextLength,
                shards = model.Shards.Select(s => new { node = s.Node, address = s.Address, layer_start = s.LayerStart, layer_end = s.LayerEnd }),
            });
        }
        catch (PlanningFailedException exception)
        {
            return PlanningError(exception);
        }
    }

    private static async Task<IResult> ForwardAsync(Func<Task<System.Text.Json.Nodes.JsonNode?>> call)
    {
        try
        {
            return Results.Json(await call());
        }
        catch (PlanningFailedException exception)
        {
            return PlanningError(exception);
        }
    }

    private static IResult PlanningError(PlanningFailedException exception) =>
        (exception.Status is >= 400 and < 500
            ? OpenAiError.InvalidRequest(exception.Message, "model")
            : OpenAiError.Server(exception.Message, "planning_failed")).ToResult(exception.Status);

    private static string ModelName(LoadBody? body, ModelDeployment deployment) =>
        body?.Model is { Length: > 0 } model ? model : deployment.Current?.Id ?? DefaultModelStartup.DefaultModel;
}
