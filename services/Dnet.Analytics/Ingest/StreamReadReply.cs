using StackExchange.Redis;

namespace Dnet.Analytics.Ingest;

/// <summary>
/// Parses a raw <c>XREADGROUP</c> reply. StackExchange.Redis has no blocking stream read, so the blocking read is sent
/// as a raw command and its reply (RESP2) read here: nil on timeout, else <c>[[key, [[id, [field, value, ...]], ...]]]</c>.
/// </summary>
internal static class StreamReadReply
{
    public static IReadOnlyList<StreamMessage> Parse(RedisResult reply)
    {
        if (reply.IsNull || reply.Resp2Type != ResultType.Array)
        {
            return [];
        }

        var messages = new List<StreamMessage>();
        foreach (var stream in (RedisResult[])reply!)
        {
            var pair = (RedisResult[])stream!;
            if (pair.Length < 2 || pair[1].IsNull)
            {
                continue;
            }

            foreach (var entry in (RedisResult[])pair[1]!)
            {
                messages.Add(Message((RedisResult[])entry!));
            }
        }

        return messages;
    }

    private static StreamMessage Message(RedisResult[] entry)
    {
        var id = (string)entry[0]!;
        if (entry.Length < 2 || entry[1].IsNull)
        {
            return new StreamMessage(id, null);
        }

        var flat = (RedisResult[])entry[1]!;
        var fields = new List<KeyValuePair<string, string>>(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            fields.Add(new((string?)flat[i] ?? "", (string?)flat[i + 1] ?? ""));
        }

        return new StreamMessage(id, fields);
    }

    /// <summary>Converts entries returned by the typed client (pending re-reads, claims).</summary>
    public static IReadOnlyList<StreamMessage> From(StreamEntry[] entries) =>
        [.. entries.Select(entry => new StreamMessage(
            entry.Id!,
            entry.IsNull || entry.Values is not { Length: > 0 } values
                ? null
                : [.. values.Select(value => new KeyValuePair<string, string>(value.Name!, value.Value!))]))];
}
