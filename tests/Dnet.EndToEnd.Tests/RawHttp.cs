using System.Net.Sockets;
using System.Text;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A request written byte by byte on a socket, for the cases a well-behaved client library would not send: bodies
/// larger than announced limits, uploads that stall, readers that stop reading. Returns what the server wrote.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends the head, then <paramref name="writeBody"/> writes the body (its failures are the server hanging up).</summary>
    public static async Task<string> SendAsync(
        Uri endpoint, string head, Func<NetworkStream, CancellationToken, Task> writeBody, TimeSpan readFor, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        var reading = ReadAllAsync(stream, readFor, cancellationToken);
        try
        {
            await writeBody(stream, cancellationToken);
        }
        catch (IOException)
        {
            // The server answered and closed before the body was done: what it answered is the result.
        }

        return await reading;
    }

    /// <summary>A POST head for the gateway with a JSON body of <paramref name="contentLength"/> bytes (null: chunked).</summary>
    public static string Post(Uri endpoint, string path, long? contentLength) =>
        $"POST {path} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nContent-Type: application/json\r\n"
        + (contentLength is { } length ? $"Content-Length: {length}\r\n" : "Transfer-Encoding: chunked\r\n")
        + "\r\n";

    /// <summary>The status code of a raw HTTP/1.1 response.</summary>
    public static int Status(string response) =>
        response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(response.AsSpan(9, 3), provider: null) : 0;

    /// <summary>The body of a raw response, de-chunked when it is chunked.</summary>
    public static string Body(string response)
    {
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var body = split < 0 ? "" : response[(split + 4)..];
        if (!response[..Math.Max(split, 0)].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var text = new StringBuilder();
        var at = 0;
        while (body.IndexOf("\r\n", at, StringComparison.Ordinal) is var end and > 0
            && int.TryParse(body.AsSpan(at, end - at), System.Globalization.NumberStyles.HexNumber, null, out var size) && size > 0)
        {
            text.Append(body, end + 2, size);
            at = end + 2 + size + 2;
        }

        return text.ToString();
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream, TimeSpan readFor, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(readFor);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) is var read and > 0)
            {
                received.Write(buffer, 0, read);
                if (Encoding.ASCII.GetString(received.ToArray()).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // Connection reset or read window over: keep what arrived.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
