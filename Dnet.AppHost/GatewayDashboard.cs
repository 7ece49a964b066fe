namespace Dnet.AppHost;

/// <summary>
/// Gateway commands in the Aspire dashboard, the operations a user otherwise needs the REPL or curl for: load the
/// configured model (plan and load it on the shards), unload it, switch tracing on or off for every node, and show the
/// ring (its shards, the cluster's members and the last changes of the ring with why).
/// </summary>
internal static class GatewayDashboard
{
    public const string LoadCommand = "load-model";
    public const string UnloadCommand = "unload-model";
    public const string TraceOnCommand = "trace-on";
    public const string TraceOffCommand = "trace-off";
    public const string TopologyCommand = "ring-topology";

    // Loading plans over every shard and may generate the model first: minutes on a busy machine.
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public static IResourceBuilder<ProjectResource> WithClusterCommands(
        this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> model, IResourceBuilder<ParameterResource> apiKey)
    {
        var endpoint = gateway.GetEndpoint("http");
        var key = apiKey.Resource;
        return gateway
            .WithCommand(LoadCommand, "Load model",
                async context =>
                {
                    var name = await model.Resource.GetValueAsync(context.CancellationToken);
                    return await ServiceCall.SendAsync(endpoint, key, HttpMethod.Post, "/v1/cluster/load", new { model = name },
                        $"loaded {name}", LoadTimeout, context.CancellationToken);
                },
                new CommandOptions
                {
                    Description = "Plan and load the model of the AppHost's 'model' parameter on the shards",
                    IconName = "ArrowUpload",
                })
            .WithCommand(UnloadCommand, "Unload model",
                context => ServiceCall.SendAsync(endpoint, key, HttpMethod.Post, "/v1/cluster/unload", body: null, "unloaded", CallTimeout, context.CancellationToken),
                new CommandOptions
                {
                    Description = "Free every shard's layers; chat requests fail until a model is loaded again",
                    IconName = "Delete",
                    ConfirmationMessage = "Unload the model from every shard? Requests fail until it is loaded again.",
                })
            .WithCommand(TraceOnCommand, "Trace on",
                context => ServiceCall.SendAsync(endpoint, key, HttpMethod.Post, "/v1/trace", new { enabled = true }, "tracing on", CallTimeout, context.CancellationToken),
                new CommandOptions { Description = "Record frames on every node (spans to the dashboard and the Redis stream)", IconName = "Record" })
            .WithCommand(TraceOffCommand, "Trace off",
                context => ServiceCall.SendAsync(endpoint, key, HttpMethod.Post, "/v1/trace", new { enabled = false }, "tracing off", CallTimeout, context.CancellationToken),
                new CommandOptions { Description = "Stop recording frames on every node (the GenAI metrics go on)", IconName = "RecordStop" })
            .WithCommand(TopologyCommand, "Ring topology",
                context => ServiceCall.SendAsync(endpoint, key, HttpMethod.Get, "/v1/cluster/topology?format=markdown", body: null, "ring topology", CallTimeout, context.CancellationToken),
                new CommandOptions { Description = "The ring's shards and layers, the cluster's members, and the last ring changes with why", IconName = "Organization" });
    }
}
