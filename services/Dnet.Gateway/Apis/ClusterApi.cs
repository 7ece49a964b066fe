using System.Text.Json;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.Apis;

/// <summary>
/// Cluster control: devices (shard profiles), topology (current ring, members and recent changes / prepare via the
/// planner), load and unload (through the ring supervisor, which keeps what was loaded served).
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
        cluster.MapPost("/unload", async (RingSupervisor supervisor, CancellationToken cancellationToken) =>
        {
            await supervisor.UnloadAsync(cancellationToken);
            return Results.Json(new { unloaded = true });
        });
        return app;
    }

    /// <summary>
    /// Body of <c>load</c> and <c>topology/prepare</c>: a model, an optional manual assignment and (load) the name to
    /// serve it under (default: <c>Dnet:ServedModelName</c> for the configured model, else the folder's name).
    /// </summary>
    internal sealed record LoadBody(string? Model, Dictionary<string, int[]>? Manual, string? ServedModelName);

    /// <summary>
    /// The ring with each shard's state: asked live with a short deadline, all at once, falling back to the
    /// supervisor's last probe (once a second) for a shard that does not answer in time, so it answers within a second
    /// even while a shard hangs. Also the members and the last changes of the ring with their reasons.
    /// </summary>
    private static async Task<IResult> TopologyAsync(
        ModelDeployment deployment, RingStatus status, RingProbe probe, ClusterView view, RingHistory history, string? format, CancellationToken cancellationToken)
    {
        if (deployment.Current is not { } model)
        {
            return OpenAiError.Server(
                $"No model is loaded ({status.State.ToString().ToLowerInvariant()}: {status.Reason}).", "model_not_loaded").ToResult(StatusCodes.Status503ServiceUnavailable);
        }

        var shards = await Task.WhenAll(model.Shards.Select(async shard =>
        {
            var health = await probe.AskAsync(model, shard, cancellationToken);
            return new TopologyShard(shard.Node, shard.Address, shard.LayerStart, shard.LayerEnd, health.Answering && health.HoldsSlice,
                health.ActiveSequences ?? 0, health.LastAnswer, health.Error);
        }));
        var topology = new TopologyView(
            model.Id, model.ServedName, model.Folder, model.ContextLength, model.LoadedAt, status.State.ToString().ToLowerInvariant(), status.Reason, model.Manual,
            shards,
            [.. view.Members.Select(m => new TopologyMember(m.Node, m.Address, m.Host, m.Source, m.StartedAt, model.Shards.Any(s => s.Node == m.Node)))],
            view.Error,
            [.. history.Newest().Select(c => new TopologyChange(c.At, c.Reason, c.Succeeded, c.Ring, c.Error, Math.Round(c.ElapsedMs, 1)))]);
        return string.Equals(format, "markdown", StringComparison.OrdinalIgnoreCase)
            ? Results.Text(TopologyMarkdown.Render(topology), "text/markdown; charset=utf-8")
            : Results.Json(topology);
    }

    private static async Task<IResult> LoadAsync(LoadBody? body, ModelDeployment deployment, RingSupervisor supervisor, CancellationToken cancellationToken)
    {
        try
        {
            var model = await supervisor.LoadAsync(ModelName(body, deployment), body?.Manual, cancellationToken, body?.ServedModelName);
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
