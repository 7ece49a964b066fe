using Dnet.Perf;

namespace Dnet.Analytics.Apis;

/// <summary>
/// Finds a request by the <c>x-request-id</c> it was sent with. The gateway's request id (<c>dnet.request_id</c>)
/// is <c>{chatcmpl|cmpl}-{x-request-id}</c>, with <c>-{8 hex digits}</c> appended when the client chose the
/// x-request-id; a client that reused one gets its latest request.
/// </summary>
internal static class RequestIdLookup
{
    private static readonly string[] Prefixes = ["chatcmpl-", "cmpl-"];

    public static RequestStats? ByClientRequestId(PerfAnalyzer analyzer, string clientRequestId) =>
        analyzer.Store.RequestIds(id => Matches(id, clientRequestId))
            .Select(analyzer.RequestStats)
            .OfType<RequestStats>()
            .OrderByDescending(stats => stats.Start)
            .FirstOrDefault();

    internal static bool Matches(string requestId, string clientRequestId)
    {
        foreach (var prefix in Prefixes)
        {
            if (!requestId.StartsWith(prefix, StringComparison.Ordinal)
                || !requestId.AsSpan(prefix.Length).StartsWith(clientRequestId, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = requestId.AsSpan(prefix.Length + clientRequestId.Length);
            if (rest.IsEmpty || (rest.Length == 9 && rest[0] == '-' && IsHex(rest[1..])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
