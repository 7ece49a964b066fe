namespace Dnet.Shard.Ring;

/// <summary>
/// Frees the KV cache of requests that have sent no frame for <c>Dnet:Shard:SequenceIdleTimeout</c> (default 2 min):
/// a gateway that crashed or lost a request must not pin memory on every shard forever.
/// </summary>
internal sealed class IdleSequenceSweeper(SliceHost host, IConfiguration configuration, ILogger<IdleSequenceSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = configuration.GetValue("Dnet:Shard:SequenceIdleTimeout", TimeSpan.FromMinutes(2));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(idle.TotalSeconds / 4, 1, 30)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var requestId in host.IdleRequests(idle))
            {
                if (host.Free(requestId))
                {
                    logger.LogInformation("Freed KV cache of request {RequestId}: idle for more than {Idle}", requestId, idle);
                }
            }
        }
    }
}
