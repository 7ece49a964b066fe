namespace Dnet.Gateway.Ring;

/// <summary>What the ring can do right now.</summary>
internal enum RingState
{
    /// <summary>No model has been deployed yet; the first plan is on its way.</summary>
    Starting,

    /// <summary>A model is loaded on shards that all answer.</summary>
    Serving,

    /// <summary>The ring is being planned and loaded again (a shard died, left or joined); requests wait.</summary>
    Replanning,

    /// <summary>The last plan failed (e.g. the remaining shards cannot hold the model); retried when members change.</summary>
    Down,

    /// <summary>Unloaded on request; nothing is served until the next load.</summary>
    Unloaded,
}

/// <summary>
/// The ring's state and why, as health, topology and request admission see it. Requests that arrive while the ring is
/// starting or re-planning wait (up to <c>Dnet:Gateway:ReplanWait</c>) for it to serve; while it is down or unloaded
/// they are answered 503 at once, with the reason and a <c>Retry-After</c>.
/// </summary>
internal sealed class RingStatus
{
    private readonly object gate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RingState State { get; private set; } = RingState.Starting;

    public string Reason { get; private set; } = "planning and loading the model";

    public DateTimeOffset Since { get; private set; } = DateTimeOffset.UtcNow;

    public void Set(RingState state, string reason)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            if (State == state && Reason == reason)
            {
                return;
            }

            (State, Reason, Since) = (state, reason, DateTimeOffset.UtcNow);
            wake = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>
    /// The deployed model once the ring serves; throws <see cref="RingUnavailableException"/> when it is down or unloaded,
    /// or still not serving after <paramref name="wait"/>.
    /// </summary>
    public async Task<DeployedModel> AwaitServingAsync(ModelDeployment deployment, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (State == RingState.Serving && deployment.Current is { } model)
                {
                    return model;
                }

                if (State is RingState.Down or RingState.Unloaded)
                {
                    throw new RingUnavailableException(Reason, State == RingState.Unloaded ? "model_not_loaded" : "ring_unavailable", retryAfterSeconds: 5);
                }

                next = changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await WaitAsync(next, left, cancellationToken))
            {
                throw new RingUnavailableException(
                    $"the ring is not serving yet ({Reason}); waited {wait.TotalSeconds:F0} s", "ring_replanning", retryAfterSeconds: 2);
            }
        }
    }

    private static async Task<bool> WaitAsync(Task next, TimeSpan left, CancellationToken cancellationToken)
    {
        try
        {
            await next.WaitAsync(left, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>The ring cannot take a request now: answered 503 with <c>Retry-After</c>.</summary>
internal sealed class RingUnavailableException(string message, string code, int retryAfterSeconds) : Exception(message)
{
    public string Code { get; } = code;

    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
