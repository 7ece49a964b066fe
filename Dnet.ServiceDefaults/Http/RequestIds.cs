using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// The <c>x-request-id</c> of a request: the client's when it sent a usable one (1 to 128 characters out of letters,
/// digits and <c>-_.:</c>), otherwise a new 32-hex-digit id. Echoed on every response, errors included, and used
/// as the request's ASP.NET trace identifier so that its log lines carry it.
/// </summary>
public static class RequestIds
{
    /// <summary>The header name.</summary>
    public const string Header = "x-request-id";

    /// <summary>Longest client-chosen id kept; longer ones are replaced.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    private static readonly object Key = new();

    /// <summary>The request id of <paramref name="http"/> (assigned by the service defaults' middleware).</summary>
    /// <param name="http">The request's context.</param>
    public static string Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items.TryGetValue(Key, out var id) && id is string text ? text : Assign(http);
    }

    /// <summary>True when the gateway chose the id (the client sent none, or one that was not usable).</summary>
    /// <param name="http">The request's context.</param>
    public static bool IsGenerated(HttpContext http) => !IsUsable(http.Request.Headers[Header].ToString());

    /// <summary>True for an id a client may choose: 1 to <see cref="MaxLength"/> characters of <c>[A-Za-z0-9-_.:]</c>.</summary>
    /// <param name="id">The candidate.</param>
    public static bool IsUsable(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>Reads or makes the id, remembers it and echoes it on the response however the response ends.</summary>
    internal static string Assign(HttpContext http)
    {
        var sent = http.Request.Headers[Header].ToString();
        var id = IsUsable(sent) ? sent : Guid.NewGuid().ToString("N");
        http.Items[Key] = id;
        http.TraceIdentifier = id;
        // On starting, not now: the exception handler clears headers before it writes an error.
        http.Response.OnStarting(static state =>
        {
            var (context, requestId) = ((HttpContext, string))state;
            context.Response.Headers[Header] = requestId;
            return Task.CompletedTask;
        }, (http, id));
        return id;
    }
}
