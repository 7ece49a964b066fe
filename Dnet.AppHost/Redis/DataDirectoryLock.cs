using Microsoft.Extensions.Hosting;

namespace Dnet.AppHost.Redis;

/// <summary>
/// Holds <c>apphost.lock</c> in the Redis data directory for as long as the AppHost runs. Two redis-servers appending
/// to one append-only file would corrupt it, so a second AppHost of the same cluster stops at once with one line that
/// says what to do, instead of starting a second server on the same directory. Registered as a hosted service so the
/// AppHost's host releases it when it stops (a test process builds several AppHosts).
/// </summary>
internal sealed class DataDirectoryLock : IHostedService, IDisposable
{
    private readonly FileStream handle;

    private DataDirectoryLock(FileStream handle) => this.handle = handle;

    public static DataDirectoryLock Acquire(TraceSinkSettings settings)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        var path = Path.Combine(settings.DataDirectory, "apphost.lock");
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix, a sharing lock on Windows; both end with the process.
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException exception)
        {
            throw new DistributedApplicationException(
                $"Another AppHost of cluster '{settings.Cluster}' uses {settings.DataDirectory}: stop it, or give this one " +
                $"another {ClusterName.Key} or {TraceSinkSettings.DataDirectoryKey}.", exception);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => handle.Dispose();
}
