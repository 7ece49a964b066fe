using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;

namespace Dnet.Transport;

/// <summary>
/// A long-lived client stream to one peer (the next shard, or the gateway's token sink) fed from a queue, so that the
/// producer never waits on the network and messages keep their order. When the peer is gone, every message that could
/// not be written is handed to <c>onUndelivered</c> (so its request can fail fast with a clear error) and the stream is
/// reopened for the messages that follow. The stream owns its channel (its own HTTP/2 connection, so bulk activations
/// never queue behind control calls) and closes it when disposed. The queue is bounded: a peer that does not keep up
/// fails the messages that do not fit (to <c>onUndelivered</c>) instead of growing this process's memory without end.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class OutboundStream<T> : IAsyncDisposable where T : class
{
    /// <summary>Messages queued at most by default: far more than the requests a ring runs at once.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Channel<T> _queue;
    private readonly GrpcChannel _channel;
    private readonly Func<GrpcChannel, CancellationToken, AsyncClientStreamingCall<T, Dnet.Contracts.Shards.StreamClosed>> _open;
    private readonly Action<T, Exception> _onUndelivered;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private volatile bool _closed;

    /// <summary>Connects to <paramref name="peer"/>; <paramref name="open"/> starts the call, again after each failure.</summary>
    /// <param name="peer">The peer's gRPC address.</param>
    /// <param name="clusterSecret">The cluster secret the stream presents (null on a cluster without one).</param>
    /// <param name="open">Starts the client-streaming call on the channel.</param>
    /// <param name="onUndelivered">Called for each message that could not be written.</param>
    /// <param name="capacity">Messages queued at most.</param>
    public OutboundStream(
        string peer,
        string? clusterSecret,
        Func<GrpcChannel, CancellationToken, AsyncClientStreamingCall<T, Dnet.Contracts.Shards.StreamClosed>> open,
        Action<T, Exception> onUndelivered,
        int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        // Wait mode makes TryWrite refuse when full (it never drops a queued message silently). Synchronous
        // continuations let an idle pump write the message on the sender's thread instead of waking a pool thread
        // first: one thread hand-off less per hop (the write itself only queues the frame on the HTTP/2 connection).
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = true,
        });
        Capacity = capacity;
        Peer = peer;
        _channel = PeerChannels.Open(peer, clusterSecret);
        _open = open;
        _onUndelivered = onUndelivered;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The peer's address, for error messages.</summary>
    public string Peer { get; }

    /// <summary>How many messages may wait to be written.</summary>
    public int Capacity { get; }

    /// <summary>Queues a message; never blocks. A closed stream or a full queue hands it to <c>onUndelivered</c>.</summary>
    public void Send(T message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            _onUndelivered(message, _closed
                ? new ObjectDisposedException($"stream to {Peer} is closed")
                : new InvalidOperationException($"the queue to {Peer} is full ({Capacity} messages): the peer does not keep up"));
        }
    }

    private async Task PumpAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            AsyncClientStreamingCall<T, Dnet.Contracts.Shards.StreamClosed>? call = null;
            T? current = null;
            try
            {
                call = _open(_channel, token);
                while (await _queue.Reader.WaitToReadAsync(token))
                {
                    while (_queue.Reader.TryRead(out current))
                    {
                        await call.RequestStream.WriteAsync(current, token);
                        current = null;
                    }
                }
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is RpcException or IOException or InvalidOperationException or HttpRequestException)
            {
                if (current is not null)
                {
                    _onUndelivered(current, exception);
                }

                // Whatever was queued behind the failed message was meant for the same dead peer: fail it now rather
                // than let it wait for a reconnect that may never come.
                while (_queue.Reader.TryRead(out var queued))
                {
                    _onUndelivered(queued, exception);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                call?.Dispose();
            }
        }
    }

    /// <summary>Stops the pump and closes the channel; queued messages are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
        _channel.Dispose();
    }
}
