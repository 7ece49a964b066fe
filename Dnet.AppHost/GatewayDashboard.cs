using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost;

/// <summary>
/// Gateway commands in the Aspire dashboard, the operations a user otherwise needs the REPL or curl for: load the
/// configured model (plan and load it on the shards), unload it, and switch tracing on or off for every node.
/// </summary>
internal static class GatewayDashboard
{
    public const string LoadCommand = "load-model";
    public const string UnloadCommand = "unload-model";
    public const string TraceOnCommand = "trace-on";
    public const string TraceOffCommand = "trace-off";

    // Loading plans over every shard and may generate the model first: minutes on a busy machine.
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public static IResourceBuilder<ProjectResource> WithClusterCommands(
        this IResourceBuilder<ProjectResource> gateway, IConfiguration configuration, IResourceBuilder<ParameterResource> apiKey)
    {
        var endpoint = gateway.GetEndpoint("http");
        var key = apiKey.Resource;
        return gateway
            .WithCommand(LoadCommand, "Load model",
                context => ServiceCall.SendAsync(endpoint, key, HttpMethod.Post, "/v1/cluster/load", new { model = configuration.ConfiguredModel() },
                    $"loaded {configuration.ConfiguredModel()}", LoadTimeout, context.CancellationToken),
                new CommandOptions
                {
                    Description = $"Plan and load the model of the AppHost's 'model' parameter ({configuration.ConfiguredModel()}) on the shards",
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
                new CommandOptions { Description = "Stop recording frames on every node (the GenAI metrics go on)", IconName = "RecordStop" });
    }
}
