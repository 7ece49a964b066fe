using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.Completions;

/// <summary>
/// The id of a completion, which is also its <c>dnet.request_id</c> in every trace and the key of its KV cache on the
/// shards. It contains the request's <c>x-request-id</c>: <c>chatcmpl-{x-request-id}</c> when the gateway made the
/// x-request-id (32 hex digits, unique), <c>chatcmpl-{x-request-id}-{8 hex digits}</c> when the client chose it, so that
/// a client reusing an id (a retry) never shares a KV cache or a token stream with an earlier request.
/// </summary>
internal static class CompletionIds
{
    public static string For(HttpContext http, string prefix)
    {
        var requestId = RequestIds.Of(http);
        return RequestIds.IsGenerated(http)
            ? $"{prefix}-{requestId}"
            : $"{prefix}-{requestId}-{Guid.NewGuid().ToString("N")[..8]}";
    }
}
