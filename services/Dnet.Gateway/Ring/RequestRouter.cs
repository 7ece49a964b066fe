using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Dnet.Contracts.Shards;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Hands each token (or error) arriving at the token sink to the request that is waiting for it. An error from the
/// ring raises the <see cref="RingAlarm"/>, so the supervisor checks the ring's shards at once.
/// </summary>
internal sealed class RequestRouter(RingAlarm alarm, ILogger<RequestRouter> logger)
{
    private readonly ConcurrentDictionary<string, Channel<ArrivedToken>> _requests = new();
    private long _lastTokenTimestamp = Stopwatch.GetTimestamp();

    /// <summary>How long ago the ring last returned a token (for any request): how a live but busy ring is told from a stalled one.</summary>
    public TimeSpan SinceLastToken => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTokenTimestamp));

    /// <summary>Requests in the ring now.</summary>
    public int InFlight => _requests.Count;

    public ChannelReader<ArrivedToken> Register(string requestId)
    {
        // A request has at most one step in the ring, so at most one token (or one error per shard) is ever queued.
        var channel = Channel.CreateUnbounded<ArrivedToken>(new UnboundedChannelOptions { SingleReader = true });
        if (!_requests.TryAdd(requestId, channel))
        {
            throw new InvalidOperationException($"request {requestId} is already in flight");
        }

        return channel.Reader;
    }

    public void Unregister(string requestId) => _requests.TryRemove(requestId, out _);

    public void Deliver(TokenFrame frame, int bytes = 0)
    {
        if (string.IsNullOrEmpty(frame.Error))
        {
            Interlocked.Exchange(ref _lastTokenTimestamp, Stopwatch.GetTimestamp());
        }
        else
        {
            alarm.Raise(frame.Error);
        }

        if (_requests.TryGetValue(frame.RequestId, out var channel))
        {
            channel.Writer.TryWrite(new ArrivedToken(frame, DateTime.UtcNow, bytes));
        }
        else
        {
            // A request that finished, was cancelled or timed out: its late tokens are expected, not an error.
            logger.LogDebug("Token for finished request {RequestId} (step {Step}) ignored", frame.RequestId, frame.Step);
        }
    }

    /// <summary>Fails one request, e.g. when its frame could not be sent.</summary>
    public void Fail(string requestId, string error) => Deliver(new TokenFrame { RequestId = requestId, Error = error });

    /// <summary>Fails every request in flight, e.g. when the stream to the first shard breaks.</summary>
    public void FailAll(string error)
    {
        foreach (var (requestId, channel) in _requests)
        {
            channel.Writer.TryWrite(new ArrivedToken(new TokenFrame { RequestId = requestId, Error = error }, DateTime.UtcNow, 0));
        }
    }
}

/// <summary>A token frame as it arrived at the sink: when, and its serialized size (0 for errors raised locally).</summary>
internal sealed record ArrivedToken(TokenFrame Frame, DateTime ReceivedAt, int Bytes);
