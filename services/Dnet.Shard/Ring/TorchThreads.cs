using TorchSharp;

namespace Dnet.Shard.Ring;

/// <summary>
/// Sets libtorch's intra-op threads from <c>Dnet:Shard:TorchThreads</c> (the AppHost divides the cores among the
/// shards of one machine); unset, libtorch keeps its default of one thread per core.
/// </summary>
internal sealed class TorchThreads(IConfiguration configuration, ILogger<TorchThreads> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue<int?>("Dnet:Shard:TorchThreads") is { } threads and > 0)
        {
            torch.set_num_threads(threads);
            logger.LogInformation("libtorch uses {Threads} intra-op threads", threads);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
