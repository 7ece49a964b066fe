using System.Text.Json.Serialization;
using Dnet.Contracts.Cluster;
using Dnet.ServiceDefaults.Cluster;

namespace Dnet.Shard.Cluster;

/// <summary>
/// Joins through the gateway (<c>--join http://gateway-host:5080</c>): asks its <c>/cluster/join</c> endpoint, with the
/// cluster secret, for the Redis connection string members use (the gateway's own, with its advertised address in place
/// of loopback). Retries for a minute while the gateway starts; <c>--redis</c> skips this.
/// </summary>
internal static partial class ClusterJoin
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(1);

    public static void Apply(WebApplicationBuilder builder, ILogger logger)
    {
        if (builder.Configuration[ShardCommandLine.JoinKey] is not { Length: > 0 } join
            || builder.Configuration.GetConnectionString("redis") is { Length: > 0 })
        {
            return;
        }

        if (!Uri.TryCreate(join, UriKind.Absolute, out var gateway) || gateway.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"--join must be the gateway's URL, e.g. http://10.0.0.5:5080; got '{join}'.");
        }

        var redis = FetchAsync(gateway, ClusterSecret.From(builder.Configuration), logger).GetAwaiter().GetResult();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("ConnectionStrings:redis", (string?)redis)]);
    }

    private static async Task<string> FetchAsync(Uri gateway, ClusterSecret secret, ILogger logger)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(5) };
        if (secret.Value is { } value)
        {
            http.DefaultRequestHeaders.Add(ClusterSecretMetadata.HttpHeader, value);
        }

        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (true)
        {
            string failure;
            try
            {
                using var response = await http.GetAsync("/cluster/join");
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<JoinReply>() is { Redis.Length: > 0 } reply)
                {
                    LogJoined(logger, gateway);
                    return reply.Redis;
                }

                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
                {
                    throw new InvalidOperationException(
                        $"{gateway} refused to let this shard join ({(int)response.StatusCode}): the cluster secret is missing or wrong (Dnet__Cluster__Secret). {body}");
                }

                failure = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                failure = exception.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Could not join the cluster through {gateway} within {GiveUpAfter.TotalSeconds:F0} s: {failure}");
            }

            LogRetrying(logger, gateway, failure);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private sealed record JoinReply([property: JsonPropertyName("redis")] string Redis);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joining the cluster through {Gateway}")]
    private static partial void LogJoined(ILogger logger, Uri gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway {Gateway} did not answer the join yet ({Failure}); retrying")]
    private static partial void LogRetrying(ILogger logger, Uri gateway, string failure);
}
