using System.Text.Json;
using Dnet.Contracts.Tracing;
using StackExchange.Redis;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Reads and changes the cluster-wide trace control in Redis. A change is one Lua script: number it, store it, publish
/// it, atomically, so concurrent changes reach every node in the same order as they reach the stored state.
/// Without Redis (no connection string) a change applies to this node only.
/// </summary>
internal sealed class TraceControlStore(FrameGate gate, TraceRedisConnection? redis = null)
{
    // Revisions come from the Redis server's clock (microseconds), kept strictly increasing: they keep increasing even
    // when Redis restarts empty, so nodes that hold an old revision still accept the next change.
    private static readonly LuaScript Publish = LuaScript.Prepare(
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local last = tonumber(redis.call('GET', @revisionKey) or '0')
        local revision = string.format('%d', math.max(now, last + 1))
        local message = '{"revision":' .. revision .. ',"state":' .. @state .. '}'
        redis.call('SET', @revisionKey, revision)
        redis.call('SET', @stateKey, message)
        redis.call('PUBLISH', @channel, message)
        return message
        """);

    public bool Shared => redis is not null;

    /// <summary>Stores and publishes <paramref name="state"/>, applies it here, and returns it with its revision.</summary>
    /// <exception cref="RedisException">Redis is configured but unavailable; nothing changed.</exception>
    public async Task<TraceControlMessage> ChangeAsync(TraceControlState state)
    {
        TraceControlMessage message;
        if (redis is null)
        {
            message = new TraceControlMessage(gate.Current.Revision + 1, state);
        }
        else
        {
            var connection = await redis.GetAsync().ConfigureAwait(false);
            var result = await connection.GetDatabase().ScriptEvaluateAsync(Publish, new
            {
                revisionKey = (RedisKey)TraceControlChannel.RevisionKey,
                stateKey = (RedisKey)TraceControlChannel.StateKey,
                channel = TraceControlChannel.Channel,
                state = JsonSerializer.Serialize(state, TracingJsonContext.Default.TraceControlState),
            }).ConfigureAwait(false);
            message = Parse((string?)result) ?? throw new RedisException("trace control script returned no message");
        }

        // Apply here at once: the answer to the change must already reflect it on this node.
        gate.Apply(message);
        return message;
    }

    /// <summary>The stored state, or <c>null</c> when nothing was ever stored.</summary>
    public static async Task<TraceControlMessage?> ReadAsync(IDatabase database) =>
        Parse(await database.StringGetAsync(TraceControlChannel.StateKey).ConfigureAwait(false));

    public static TraceControlMessage? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, TracingJsonContext.Default.TraceControlMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
